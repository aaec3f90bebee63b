package dev.hotplug.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every console command over a real admin socket on 127.0.0.1, with real module jars and real Gogo. */
class AdminPortTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Fixture fixture;

    @BeforeEach
    void start() {
        fixture = new Fixture(dir);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private static JsonNode ok(Fixture.Reply reply) throws IOException {
        assertTrue(reply.ok(), reply.status() + "\n" + reply.output());
        return JSON.readTree(reply.output());
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    @Test
    void readCommandsAnswerSpecJson() throws IOException {
        try (Fixture.Client client = fixture.connect()) {
            JsonNode list = ok(client.run("list --json"));
            assertEquals(2, list.size(), list.toString());
            JsonNode counter = list.get(0);
            assertEquals(List.of("name", "version", "generation", "status", "reloads"), fields(counter));
            assertEquals("counter", counter.get("name").asText());
            assertEquals("1.0.0", counter.get("version").asText());
            assertEquals("ACTIVE", counter.get("status").asText());
            assertEquals(0, counter.get("reloads").asLong());
            assertTrue(counter.get("generation").asLong() > 0);
            assertEquals("greeter", list.get(1).get("name").asText());

            JsonNode info = ok(client.run("info counter --json"));
            assertEquals(List.of("name", "version", "generation", "status", "file", "exports", "imports", "services",
                    "nativeLibraries", "lastError"), fields(info));
            assertEquals(dir.resolve("modules/counter.jar").toAbsolutePath().toString(), info.get("file").asText());
            assertTrue(info.get("exports").isArray());
            assertTrue(info.get("lastError").isNull());

            assertTrue(client.run("state counter").status().startsWith("ERR Cannot show the state of module counter"));
            assertTrue(client.run("reload counter").ok());
            JsonNode state = ok(client.run("hotplug:state --json counter"));
            assertEquals(List.of("name", "stateVersion", "writtenAt", "state"), fields(state));
            assertEquals("counter", state.get("name").asText());
            assertEquals(1, state.get("stateVersion").asInt());
            assertFalse(state.get("writtenAt").isNull());
            assertTrue(state.get("state").isObject(), state.toString());

            JsonNode leaks = ok(client.run("leaks --json"));
            assertTrue(leaks.isArray(), leaks.toString());

            JsonNode help = ok(client.run("help --json"));
            List<String> names = new ArrayList<>();
            help.forEach(h -> names.add(h.get("name").asText()));
            assertEquals(List.of("deploy", "help", "history", "info", "leaks", "list", "reload", "rollback", "state",
                    "stop", "undeploy"), names);
            help.forEach(h -> assertFalse(h.get("description").asText().isBlank()));

            Fixture.Reply missing = client.run("info nope");
            assertEquals("ERR Cannot show module nope: no such module", missing.status());
            Fixture.Reply usage = client.run("info");
            assertEquals("ERR Cannot run info: wrong arguments; usage: info NAME [--json]", usage.status());
            assertTrue(client.run("list").output().startsWith("NAME"));
        }
    }

    @Test
    void changingCommandsSwapRollBackDeployUndeployAndAreAudited() throws IOException {
        try (Fixture.Client client = fixture.connect()) {
            JsonNode reload = ok(client.run("reload counter --json"));
            assertEquals("SWAPPED", reload.get("outcome").asText());
            assertEquals("counter", reload.get("name").asText());

            // A new version through deploy, then back with rollback.
            Path staging = dir.resolve("staging");
            Path v2 = Fixture.module("counter", "2.0.0", "", staging);
            JsonNode deployed = ok(client.run("deploy --json '" + v2 + "'"));
            assertEquals("2.0.0", deployed.get("version").asText());
            JsonNode back = ok(client.run("rollback counter --json"));
            assertEquals("2.0.0", back.get("from").asText());
            assertEquals("1.0.0", back.get("to").asText());

            JsonNode history = ok(client.run("history counter --json"));
            assertTrue(history.size() >= 3, history.toString());
            for (JsonNode h : history) {
                assertEquals(List.of("from", "to", "outcome", "millis", "pauseMicros", "cause"), fields(h));
            }
            assertEquals("SWAPPED", history.get(history.size() - 1).get("outcome").asText());

            // A version whose @Load throws rolls back: the command fails and says so.
            Path bad = Fixture.module("counter", "3.0.0", "throw new IllegalStateException(\"boom\");", staging);
            Fixture.Reply failed = client.run("deploy '" + bad + "'");
            assertTrue(failed.status().startsWith("ERR Cannot deploy module counter: version 3.0.0 rolled back to 1.0.0"),
                    failed.status());
            assertTrue(failed.status().contains("boom"), failed.status());
            JsonNode last = ok(client.run("history counter --json"));
            assertEquals("ROLLED_BACK", last.get(last.size() - 1).get("outcome").asText());
            Path broken = Fixture.module("broken", "1.0.0", "throw new IllegalStateException(\"no start\");", staging);
            Fixture.Reply failedStart = client.run("deploy '" + broken + "'");
            assertTrue(failedStart.status().startsWith("ERR Cannot deploy module broken 1.0.0 from " + broken),
                    failedStart.status());
            assertTrue(failedStart.status().contains("no start"), failedStart.status());
            ok(client.run("undeploy broken --json"));

            Path extra = Fixture.module("extra", "1.0.0", "", staging);
            assertTrue(client.run("deploy " + extra).output().startsWith("deployed extra 1.0.0"));
            JsonNode undeployed = ok(client.run("undeploy extra --json"));
            assertTrue(undeployed.get("undeployed").asBoolean());
            assertEquals(2, ok(client.run("list --json")).size());
            Fixture.Reply gone = client.run("undeploy extra");
            assertEquals("ERR Cannot undeploy module extra: no such module", gone.status());
        }
        List<String> audit = Files.readAllLines(dir.resolve("state/audit.log"));
        assertEquals(9, audit.size(), String.join("\n", audit));
        String[] first = audit.get(0).split("\t");
        assertEquals(4, first.length, audit.get(0));
        assertTrue(first[0].matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), first[0]);
        assertTrue(first[1].startsWith("127.0.0.1:"), first[1]);
        assertEquals("reload counter", first[2]);
        assertEquals("ok", first[3]);
        assertTrue(audit.get(1).contains("\tdeploy "), audit.get(1));
        assertTrue(audit.get(2).endsWith("\trollback counter\tok"), audit.get(2));
        assertTrue(audit.get(3).contains("\tdeploy ") && audit.get(3).contains("\terror: Cannot deploy module counter"),
                audit.get(3));
        assertTrue(audit.get(8).endsWith("\tundeploy extra\terror: Cannot undeploy module extra: no such module"),
                audit.get(8));
    }

    @Test
    void reloadThatRollsBackIsAnError() throws IOException {
        try (Fixture.Client client = fixture.connect()) {
            Fixture.module("counter", "1.0.1", "throw new IllegalStateException(\"boom\");", dir.resolve("modules"));
            Fixture.Reply reply = client.run("reload counter");
            assertTrue(reply.status().startsWith("ERR Cannot reload module counter: version 1.0.1 rolled back to 1.0.0"),
                    reply.status());
            assertTrue(reply.status().contains("boom"), reply.status());
        }
        String audit = Files.readString(dir.resolve("state/audit.log"));
        assertTrue(audit.contains("\treload counter\terror: Cannot reload module counter"), audit);
    }

    @Test
    void pipesAndVariablesWorkWithoutColour() throws IOException {
        try (Fixture.Client client = fixture.connect()) {
            Fixture.Reply piped = client.run("list | grep counter");
            assertTrue(piped.ok(), piped.status());
            String[] lines = piped.output().split("\n");
            assertEquals(1, lines.length, piped.output());
            assertTrue(lines[0].startsWith("counter "), lines[0]);
            assertFalse(piped.output().contains("\u001b"), "ANSI escape in " + piped.output());
            assertTrue(client.run("x = (list --json)").ok());
            Fixture.Reply echoed = client.run("echo $x");
            assertTrue(echoed.output().contains("\"name\" : \"greeter\""), echoed.output());
        }
    }

    @Test
    void wrongTokenGetsOneLineAndTheConnectionCloses() throws IOException {
        try (Fixture.Client client = new Fixture.Client(fixture.server.address())) {
            client.send("not-the-token");
            client.send("list");
            String line = client.in.readLine();
            assertTrue(line.startsWith("\u0004ERR Cannot open admin session: wrong token"), line);
            assertNull(client.in.readLine());
        }
    }

    @Test
    void anOverlongFirstLineIsRefusedWithoutBeingReadWhole() throws Exception {
        try (Fixture.Client client = new Fixture.Client(fixture.server.address())) {
            Thread flood = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                Arrays.fill(chunk, (byte) 'a');
                try {
                    for (int i = 0; i < 16 * 1024; i++) { // 1 GiB, far more than the server may hold
                        client.socket.getOutputStream().write(chunk);
                    }
                } catch (IOException closedByTheServer) {
                    // expected: the server answers and closes after the first few hundred bytes
                }
            });
            flood.start();
            String line = client.in.readLine();
            assertTrue(line.startsWith("\u0004ERR Cannot open admin session: wrong token"), line);
            flood.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(flood.isAlive(), "the server stopped reading and closed the connection");
        }
        try (Fixture.Client next = fixture.connect()) {
            assertTrue(next.run("list").ok(), "the port serves the next client");
        }
    }

    @Test
    void theTokenMustArriveWithinItsTimeHoweverSlowlyTheBytesCome() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket trickler = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             Socket accepted = listener.accept()) {
            Thread drip = new Thread(() -> {
                try {
                    for (int i = 0; i < 40; i++) { // one byte every 50 ms: each read is quick, the line never ends
                        trickler.getOutputStream().write('a');
                        Thread.sleep(50);
                    }
                } catch (IOException | InterruptedException stopped) {
                    // the test is over
                }
            });
            drip.start();
            long started = System.nanoTime();
            assertThrows(SocketTimeoutException.class,
                    () -> AdminServer.readToken(accepted, accepted.getInputStream(), 300));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(tookMillis < 1500, "the deadline held against the drip: " + tookMillis + " ms");
            drip.interrupt();
        }
    }

    @Test
    void tokenFileIsOwnerOnly() throws IOException {
        Path token = fixture.server.tokenFile();
        assertEquals(dir.resolve("state/admin.token").toAbsolutePath(), token.toAbsolutePath());
        assertEquals(64, fixture.token().length());
        assumeTrue(token.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(token);
        assertEquals(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), mode);
    }

    @Test
    void nonLoopbackNeedsTheFlagAndCloseEndsSessions() throws IOException {
        ConsoleException refused = assertThrows(ConsoleException.class, () -> AdminServer.open(fixture.shell,
                new InetSocketAddress("0.0.0.0", 0), false));
        assertTrue(refused.getMessage().contains("--admin-bind-any"), refused.getMessage());

        try (Fixture.Client client = fixture.connect()) {
            assertTrue(client.run("list").ok());
            fixture.server.close();
            assertNull(client.in.readLine());
        }
    }

    @Test
    void stopAnswersFirstThenStartsTheStopAndEndsTheSession() throws Exception {
        try (Fixture.Client client = fixture.connect()) {
            assertEquals(1, fixture.stops.getCount(), "listing does not stop");
            assertTrue(client.run("list").ok());
            assertEquals(1, fixture.stops.getCount());

            JsonNode stopping = ok(client.run("stop --json"));

            assertTrue(stopping.get("stopping").asBoolean(), stopping.toString());
            assertTrue(fixture.stops.await(10, TimeUnit.SECONDS), "the stop started once the answer was out");
            assertNull(client.in.readLine(), "the session ends");
        }
    }
}
