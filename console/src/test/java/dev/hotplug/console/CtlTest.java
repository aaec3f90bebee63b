package dev.hotplug.console;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ctl} in-process: its exit codes, stdout and stderr against a real admin port. */
class CtlTest {

    @TempDir
    Path dir;

    private Fixture fixture;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() {
        fixture = new Fixture(dir);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private int ctl(String... args) {
        out.reset();
        err.reset();
        String[] all = new String[args.length + 4];
        all[0] = "--admin";
        all[1] = fixture.adminAddress();
        all[2] = "--state";
        all[3] = dir.resolve("state").toString();
        System.arraycopy(args, 0, all, 4, args.length);
        return HotplugCli.ctl(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void successPrintsTheOutputAndExitsZero() {
        assertEquals(0, ctl("list"), err());
        assertTrue(out().startsWith("NAME"), out());
        assertTrue(out().contains("counter"), out());
        assertEquals("", err());

        assertEquals(0, ctl("info", "counter", "--json"), err());
        assertTrue(out().contains("\"name\" : \"counter\""), out());
        assertEquals(0, ctl("--json", "info", "counter"), err());
        assertTrue(out().contains("\"name\" : \"counter\""), "--json before the command: " + out());

        assertEquals(0, ctl("list | grep greeter"), err());
        assertTrue(out().startsWith("greeter "), out());

        assertEquals(0, ctl("reload", "counter"), err());
        assertTrue(out().startsWith("reloaded counter 1.0.0 -> 1.0.0"), out());
    }

    @Test
    void failuresExitNonZeroWithTheErrorOnStderr() throws Exception {
        assertEquals(1, ctl("info", "nope"));
        assertEquals("", out());
        assertEquals("hotplug ctl: Cannot show module nope: no such module", err().strip());

        assertEquals(1, ctl("frobnicate"));
        assertTrue(err().contains("Cannot run frobnicate: no such command; help lists them"), err());

        assertEquals(2, HotplugCli.ctl(new String[] {"--admin"}, new PrintStream(out), new PrintStream(err)));
        err.reset();
        assertEquals(2, ctl("--bogus", "list"));
        assertTrue(err().startsWith("hotplug: unknown option --bogus before the COMMAND"), err());
        assertEquals(2, ctl("--json", "list | grep counter"));
        assertTrue(err().startsWith("hotplug: --json before a pipeline"), err());
        assertEquals(2, HotplugCli.ctl(new String[0], new PrintStream(out), new PrintStream(err)));

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        err.reset();
        assertEquals(1, HotplugCli.ctl(new String[] {"--admin", "127.0.0.1:" + closedPort, "--state",
                dir.resolve("state").toString(), "list"}, new PrintStream(out), new PrintStream(err, true)));
        assertTrue(err().contains("Cannot reach the admin port 127.0.0.1:" + closedPort), err());

        Files.writeString(dir.resolve("state/admin.token"), "stale\n");
        assertEquals(1, ctl("list"));
        assertTrue(err().contains("wrong token"), err());
    }

    @Test
    void aFailureAnywhereInAPipelineOrOfABuiltinExitsOne() {
        assertEquals(1, ctl("info nope | grep counter"));
        assertEquals("hotplug ctl: Cannot show module nope: no such module", err().strip(), "the first command failed");

        assertEquals(1, ctl("frobnicate | grep counter"));
        assertTrue(err().contains("Cannot run frobnicate: no such command"), err());

        assertEquals(1, ctl("echo -Q"));
        assertEquals("hotplug ctl: Cannot run echo: invalid option 'Q'", err().strip());

        assertEquals(1, ctl("list | head -n many"));
        assertTrue(err().startsWith("hotplug ctl: Cannot run head: "), err());
        assertTrue(err().contains("many"), err());

        assertEquals(1, ctl("tail -f audit.log"));
        assertTrue(err().startsWith("hotplug ctl: Cannot run tail: -f never ends"), err());
        assertEquals(1, ctl("tail -qf audit.log"));
        assertEquals(1, ctl("tail --follow audit.log"));

        assertEquals(0, ctl("list | grep nothing-matches"), err());
        assertEquals("", out(), "no match is an empty answer, not a failure");
        assertEquals(0, ctl("grep --help"), err());
        assertTrue(out().contains("Usage: grep"), out());
    }

    @Test
    void wordsAreSentAsTheyAreQuotesIncluded() {
        assertEquals(0, ctl("echo", "it's", "a \"b\" $x \\ c"), err());
        assertEquals("it's a \"b\" $x \\ c", out().strip());
    }

    @Test
    void sessionWordsHelpAndAnUnknownState() {
        assertEquals(2, ctl("exit"));
        assertTrue(err().contains("ctl stop stops the process"), err());
        assertEquals(0, ctl("--help"), err());
        assertTrue(out().startsWith("usage: hotplug run"), out());

        assertEquals(1, ctl("state", "nosuch"));
        assertEquals("hotplug ctl: Cannot show the state of module nosuch: no such module, and no state of that name on "
                + "disk", err().strip());
        assertEquals(1, ctl("state", "counter"));
        assertTrue(err().contains("none was written yet"), err());
    }
}
