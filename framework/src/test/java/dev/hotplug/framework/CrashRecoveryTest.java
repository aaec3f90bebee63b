package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Journal;
import dev.hotplug.testkit.ModuleJarBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import static dev.hotplug.framework.IsolationInFrameworkTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * SPEC, "Reload: the transaction": a process killed ({@code kill -9}) at each step of a reload restarts with the last
 * written state, on a version that ran, even when the modules folder holds a version that fails. Each case runs
 * {@link CrashChild} in a child JVM, pauses its reload at one point, kills it there and starts a fresh one on the
 * same folders.
 */
class CrashRecoveryTest {

    /** Calls made in the process that gets killed. */
    private static final int CALLS = 4;
    /** Calls made (and written at a graceful stop) by an earlier run, where a case needs a state written before. */
    private static final int EARLIER_CALLS = 3;
    private static final long DEADLINE_MILLIS = 20_000;
    private static final boolean WINDOWS = System.getProperty("os.name").startsWith("Windows");

    private static Map<String, byte[]> goodClasses;
    private static Map<String, byte[]> brokenClasses;

    @TempDir
    Path dir;

    private final List<Child> children = new ArrayList<>();

    /** Where the reload is killed, which jar was dropped for it, and what the restart must come back on. */
    enum Case {
        /** After {@code @Unload} returned, before its state is written: the state written before is the last. */
        DURING_UNLOAD("during-unload", false, true, "2.0.0"),
        AFTER_STATE_WRITE("after-state-write", false, false, "2.0.0"),
        DURING_LOAD("during-load", false, false, "2.0.0"),
        /** Killed before the broken version's {@code @Load}; at restart it fails, so the version that ran comes back. */
        DURING_LOAD_OF_BROKEN("during-load", true, false, "1.0.0"),
        DURING_ROLLBACK("during-rollback", true, false, "1.0.0");

        final String point;
        final boolean broken;
        final boolean earlierWrite;
        final String restartVersion;

        Case(String point, boolean broken, boolean earlierWrite, String restartVersion) {
            this.point = point;
            this.broken = broken;
            this.earlierWrite = earlierWrite;
            this.restartVersion = restartVersion;
        }
    }

    @BeforeAll
    static void compile() {
        goodClasses = SpecFixtures.classes(counter(""));
        brokenClasses = SpecFixtures.classes(counter("""
                if (version.startsWith("2")) {
                    Journal.log("load-broken " + version);
                    throw new IllegalStateException("broken " + version);
                }"""));
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Child child : children) {
            child.kill();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Case.class)
    void killedReloadRestartsWithLastWrittenStateOnAVersionThatRan(Case c) throws Exception {
        Path modules = dir.resolve("modules");
        Path state = dir.resolve("state");
        Path jar = drop(modules, "1.0.0", goodClasses);

        long written = 0;
        if (c.earlierWrite) {
            Child earlier = start(modules, state, null);
            earlier.call(EARLIER_CALLS, 0, "1.0.0");
            earlier.exitGracefully();
            written = EARLIER_CALLS;
        }

        Child killed = start(modules, state, c.point);
        assertEquals("counter 1.0.0 ACTIVE", killed.module());
        long counted = killed.call(CALLS, written, "1.0.0");
        // Killed before the write, the count @Unload returned existed only in memory: the restart gets the earlier write.
        if (!c.point.equals("during-unload")) {
            written = counted;
        }
        drop(modules, "2.0.0", c.broken ? brokenClasses : goodClasses);
        killed.send("deploy " + jar);
        killed.await("HOTPLUG-PAUSED " + c.point + " counter");
        killed.kill();

        Child restarted = start(modules, state, null);
        assertEquals("counter " + c.restartVersion + " ACTIVE", restarted.module());
        List<String> journal = restarted.journal();
        if (c.broken) {
            assertTrue(journal.contains("load-broken 2.0.0"), "the folder's version was tried first: " + journal);
        }
        String load = journal.get(journal.size() - 1);
        assertTrue(load.startsWith("load " + c.restartVersion + " RESTORE " + written + " "),
                "restored the last written state (" + written + ") on " + c.restartVersion + ": " + journal);
        Path loadedFrom = Path.of(load.substring(load.lastIndexOf(' ') + 1));
        Path ownCache = cacheOf(state, restarted);
        assertNotNull(ownCache, "the restarted process has its own cache folder");
        assertTrue(loadedFrom.startsWith(ownCache), "loads from its own cache " + ownCache + ", not " + loadedFrom);
        Path killedCache = cacheOf(state, killed);
        assertTrue(killedCache == null || !loadedFrom.startsWith(killedCache), "no copy of the killed process is used");
        assertEquals(List.of(loadedFrom), jarsIn(ownCache), "the restarted process keeps only the copy it runs");
        assertEquals(written + 1, restarted.call(1, written, c.restartVersion));
        assertEquals(c.restartVersion, versionOf(state.resolve("counter").resolve("last-good.jar")),
                "the version serving now is kept as the last that ran");

        restarted.exitGracefully();
        assertFalse(Files.exists(ownCache), "a graceful stop removes the process's cache");
    }

    @Test
    void aSecondProcessOnTheSameStateFolderIsRefusedUntilTheFirstIsGone() throws Exception {
        Path modules = dir.resolve("modules");
        Path state = dir.resolve("state");
        drop(modules, "1.0.0", goodClasses);
        Child first = start(modules, state, null);
        assertEquals("counter 1.0.0 ACTIVE", first.module());

        HotplugException refused = assertThrows(HotplugException.class,
                () -> TestModules.hotplug(dir.resolve("second")).stateFolder(state).build());

        assertOneLine(refused.getMessage(), "Cannot use state folder " + state.toAbsolutePath(),
                "another Hotplug (process " + first.process.pid() + ")");
        assertEquals(state.toAbsolutePath(), refused.path());
        assertEquals(1, first.call(1, 0, "1.0.0"), "the first runs on, undisturbed");
        TestModules.hotplug(dir.resolve("other")).build().close(); // another state folder is free
        first.kill();
        try (Hotplug after = TestModules.hotplug(dir.resolve("second")).stateFolder(state).build()) {
            assertEquals(state.toAbsolutePath(), after.stateFolder(), "a killed process's claim goes with it");
        }
        try (Hotplug inThisJvm = TestModules.hotplug(dir.resolve("second")).stateFolder(state).build()) {
            HotplugException twice = assertThrows(HotplugException.class,
                    () -> TestModules.hotplug(dir.resolve("third")).stateFolder(state).build());
            assertTrue(twice.getMessage().startsWith("Cannot use state folder"), twice.getMessage());
            assertEquals(state.toAbsolutePath(), inThisJvm.stateFolder());
        }
    }

    private static ModuleJarBuilder counter(String loadFirst) {
        return ModuleJarBuilder.module("counter", "0")
                .compileClassPath(Journal.location())
                .source("com.acme.counter.CounterModule", """
                        package com.acme.counter;

                        import dev.hotplug.api.*;
                        import dev.hotplug.framework.fixture.Counter;
                        import dev.hotplug.framework.fixture.Journal;
                        import java.nio.file.Path;
                        import java.util.concurrent.atomic.AtomicLong;

                        @HotplugModule
                        public class CounterModule implements Counter {
                            public record Saved(long count) { }

                            private final AtomicLong count = new AtomicLong();
                            private String version;

                            @Load
                            void load(ModuleContext context, Saved saved, LoadReason reason) throws Exception {
                                version = context.version();
                                %s
                                if (saved != null) {
                                    count.set(saved.count());
                                }
                                Path jar = Path.of(getClass().getProtectionDomain().getCodeSource().getLocation().toURI());
                                Journal.log("load " + version + " " + reason + " " + (saved == null ? "-" : saved.count())
                                        + " " + jar);
                                context.register(Counter.class, this);
                            }

                            @Unload
                            Saved unload() {
                                return new Saved(count.get());
                            }

                            public long increment() {
                                return count.incrementAndGet();
                            }

                            public String version() {
                                return version;
                            }
                        }
                        """.formatted(loadFirst));
    }

    /** Puts {@code version} into the modules folder the way a user drops a jar: same file name, replaced atomically. */
    private static Path drop(Path modules, String version, Map<String, byte[]> classes) {
        return SpecFixtures.with(ModuleJarBuilder.module("counter", version).fileName("counter.jar"), classes)
                .writeTo(modules);
    }

    private static String versionOf(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest().getMainAttributes().getValue("Hotplug-Version");
        }
    }

    private static List<Path> jarsIn(Path folder) throws IOException {
        try (var files = Files.walk(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar")).toList();
        }
    }

    /** The cache folder the framework made for {@code child} ({@code cache/proc-<pid>-*}), or null when none is left. */
    private static Path cacheOf(Path state, Child child) throws IOException {
        Path caches = state.resolve("cache");
        if (!Files.isDirectory(caches)) {
            return null;
        }
        try (var folders = Files.list(caches)) {
            return folders.filter(f -> f.getFileName().toString().startsWith("proc-" + child.process.pid() + "-"))
                    .findFirst().map(Path::toAbsolutePath).orElse(null);
        }
    }

    private Child start(Path modules, Path state, String pauseAt) throws IOException, InterruptedException {
        Child child = new Child(modules, state, pauseAt, dir.resolve("child-" + children.size() + ".err"));
        children.add(child);
        child.awaitEnd();
        return child;
    }

    /** One {@link CrashChild} JVM: commands in on standard input, answers read line by line from standard output. */
    private static final class Child {
        private static final String EOF = "<end of output>";

        final Process process;
        private final Path errors;
        private final PrintWriter commands;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Child(Path modules, Path state, String pauseAt, Path errors) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
            if (pauseAt != null) {
                command.add("-Dhotplug.pauseAt=" + pauseAt);
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), CrashChild.class.getName(),
                    modules.toString(), state.toString()));
            this.errors = errors;
            this.process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread reader = new Thread(this::read, "crash-child-" + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("ERROR reading the child's output: " + e);
            }
            lines.add(EOF);
        }

        void send(String command) {
            commands.println(command);
        }

        /** The next line starting with {@code prefix}; fails on an {@code ERROR} line, the end of output, or the deadline. */
        String await(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
            while (true) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    fail("no line starting with '" + prefix + "' within " + DEADLINE_MILLIS + " ms" + diagnostics());
                }
                if (line.equals(EOF) || line.startsWith("ERROR")) {
                    fail("waiting for '" + prefix + "', got '" + line + "'" + diagnostics());
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }

        /** Lines up to the next {@code END}. */
        List<String> awaitEnd() throws InterruptedException {
            List<String> block = new ArrayList<>();
            for (String line = await(""); !line.equals("END"); line = await("")) {
                block.add(line);
            }
            return block;
        }

        /** The one module line, {@code name version status}. */
        String module() throws InterruptedException {
            send("info");
            List<String> modules = awaitEnd();
            assertEquals(1, modules.size(), modules + diagnostics());
            String[] words = modules.get(0).split(" ", 6);
            return words[1] + " " + words[2] + " " + words[3];
        }

        /** Makes {@code times} calls, checking each answer counts on from {@code from} on {@code version}. */
        long call(int times, long from, String version) throws InterruptedException {
            long count = from;
            for (int i = 0; i < times; i++) {
                send("call");
                count++;
                assertEquals("COUNT " + count + " " + version, await("COUNT"), diagnostics());
            }
            return count;
        }

        List<String> journal() throws InterruptedException {
            send("journal");
            return awaitEnd().stream().map(l -> l.substring("JOURNAL ".length())).toList();
        }

        void exitGracefully() throws InterruptedException {
            send("exit");
            await("BYE");
            assertTrue(process.waitFor(DEADLINE_MILLIS, TimeUnit.MILLISECONDS), "the child stops" + diagnostics());
            assertEquals(0, process.exitValue(), diagnostics());
        }

        /** {@code kill -9} (SIGKILL on Linux and macOS), then waits until the process is gone. */
        void kill() throws InterruptedException {
            if (!process.isAlive()) {
                return;
            }
            process.destroyForcibly();
            assertTrue(process.waitFor(DEADLINE_MILLIS, TimeUnit.MILLISECONDS), "the killed child is gone");
            assertTrue(WINDOWS || process.exitValue() == 128 + 9, "killed by SIGKILL, exit " + process.exitValue());
        }

        private String diagnostics() {
            try {
                return "\nchild " + process.pid() + " stderr:\n" + Files.readString(errors);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
