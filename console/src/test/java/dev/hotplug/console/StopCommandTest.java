package dev.hotplug.console;

import dev.hotplug.state.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SPEC "A graceful stop (SIGTERM, stop, ...)": {@code ctl stop} against a real {@code hotplug run} process. */
class StopCommandTest {

    private static final Pattern ADMIN = Pattern.compile("Admin port (\\S+), token in");

    @TempDir
    Path dir;

    @Test
    void stopAnswersThenUnloadsEveryModuleWritesItsStateAndTheProcessExitsZero() throws Exception {
        Path modules = dir.resolve("modules");
        Path state = dir.resolve("state");
        Fixture.module("counter", "1.0.0", "", modules);
        Path errors = dir.resolve("stderr.txt");
        Process process = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), HotplugCli.class.getName(),
                "run", "--modules", modules.toString(), "--state", state.toString(), "--admin", "127.0.0.1:0",
                "--no-console")).redirectError(errors.toFile()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String admin = null;
            while (admin == null) {
                String line = out.readLine();
                if (line == null) {
                    break;
                }
                Matcher m = ADMIN.matcher(line);
                admin = m.find() ? m.group(1) : null;
            }
            assertTrue(admin != null, "the process printed its admin port: " + Files.readString(errors));
            assertTrue(new StateStore(state, message -> { }).read("counter").isEmpty(), "no state before the stop");

            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteArrayOutputStream problems = new ByteArrayOutputStream();
            int status = HotplugCli.ctl(new String[] {"--admin", admin, "--state", state.toString(), "stop"},
                    new PrintStream(answer, true, StandardCharsets.UTF_8),
                    new PrintStream(problems, true, StandardCharsets.UTF_8));

            assertEquals(0, status, problems.toString(StandardCharsets.UTF_8));
            assertTrue(answer.toString(StandardCharsets.UTF_8).startsWith("stopping: 1 module(s)"),
                    answer.toString(StandardCharsets.UTF_8));
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the process exits");
            assertEquals(0, process.exitValue(), Files.readString(errors));
        } finally {
            process.destroyForcibly();
        }
        assertEquals(1, new StateStore(state, message -> { }).read("counter").orElseThrow().state().get("loads").asLong(),
                "the stop unloaded the module and wrote its state");
        String log = Files.readString(errors);
        assertTrue(log.contains("Stopped: 1 module(s) unloaded"), log);
        List<String> audit = Files.readAllLines(state.resolve("audit.log"));
        assertTrue(audit.get(audit.size() - 1).matches(".*\\bstop\\b.*\\bok$"), audit.toString());
    }
}
