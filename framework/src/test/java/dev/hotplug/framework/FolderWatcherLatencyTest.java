package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Counter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Detection latency harness: from the atomic rename of a new version into the folder to that version answering a
 * service call, and two frameworks sharing one folder. Prints the median and p99 beside the settle window.
 */
class FolderWatcherLatencyTest {

    private static final int ROUNDS = 30;

    @TempDir
    Path dir;

    @BeforeAll
    static void compile() {
        FolderWatcherTest.compile();
    }

    @Test
    void renameToServingLatency() throws IOException {
        List<String> decisions = new CopyOnWriteArrayList<>();
        try (Hotplug hotplug = FolderWatcherTest.watching(dir, decisions)) {
            Path modules = hotplug.modulesFolder();
            Path staging = Files.createDirectories(dir.resolve("staging"));
            List<Path> versions = new ArrayList<>();
            for (int i = 0; i <= ROUNDS; i++) {
                versions.add(Files.write(staging.resolve("v" + i + ".jar"), FolderWatcherTest.counter("1.0." + i)));
            }
            Files.move(versions.get(0), modules.resolve("counter.jar"), StandardCopyOption.ATOMIC_MOVE);
            FolderWatcherTest.awaitVersion(hotplug, "counter", "1.0.0");
            Counter counter = hotplug.service(Counter.class);
            long[] micros = new long[ROUNDS];
            for (int i = 1; i <= ROUNDS; i++) {
                String expected = "1.0." + i;
                long start = System.nanoTime();
                Files.move(versions.get(i), modules.resolve("counter.jar"), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                long deadline = start + TimeUnit.SECONDS.toNanos(10);
                while (!expected.equals(counter.version())) {
                    assertTrue(System.nanoTime() < deadline, "timed out waiting for " + expected);
                    Thread.onSpinWait();
                }
                micros[i - 1] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
            }
            java.util.Arrays.sort(micros);
            long median = micros[ROUNDS / 2];
            long p99 = micros[(int) Math.ceil(ROUNDS * 0.99) - 1];
            System.out.printf("watch latency (atomic rename -> new version serving), %d reloads, settle window 50 ms:"
                    + " median %.1f ms, p99 %.1f ms%n", ROUNDS, median / 1000.0, p99 / 1000.0);
            assertEquals(ROUNDS, hotplug.module("counter").orElseThrow().reloads());
        }
    }

    @Test
    void twoFrameworksShareOneFolder() throws IOException {
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> second = new CopyOnWriteArrayList<>();
        try (Hotplug a = FolderWatcherTest.watching(dir, first);
             Hotplug b = FolderWatcherTest.watching(dir.resolve("b"), second, dir.resolve("modules"))) {
            FolderWatcherTest.atomicWrite(a.modulesFolder().resolve("counter.jar"), FolderWatcherTest.counter("1.0.0"));
            FolderWatcherTest.awaitVersion(a, "counter", "1.0.0");
            FolderWatcherTest.awaitVersion(b, "counter", "1.0.0");
            assertTrue(!a.stateFolder().equals(b.stateFolder()));

            Files.write(a.modulesFolder().resolve("counter.jar"), FolderWatcherTest.counter("2.0.0"));
            FolderWatcherTest.awaitVersion(a, "counter", "2.0.0");
            FolderWatcherTest.awaitVersion(b, "counter", "2.0.0");

            Files.delete(a.modulesFolder().resolve("counter.jar"));
            FolderWatcherTest.await("both undeployed", () -> a.module("counter").isEmpty() && b.module("counter").isEmpty());
        }
    }
}
