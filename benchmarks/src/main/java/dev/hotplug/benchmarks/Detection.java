package dev.hotplug.benchmarks;

import dev.hotplug.benchmarks.fixture.Calc;
import dev.hotplug.framework.Hotplug;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Detection harness: with {@code Hotplug.builder().watch(true)} (default settle window and rescan), an atomic rename of
 * the other version into the watched folder, timed until that version answers through the service proxy.
 */
final class Detection {

    /**
     * @param rounds renames timed
     * @param millis rename-to-serving time of each, sorted
     */
    record Result(int rounds, double[] millis) {
    }

    private Detection() {
    }

    static Result run(int rounds) {
        Path dir = Fixtures.tempFolder("hotplug-bench-watch");
        try {
            Path staged = dir.resolve("staged");
            Path[] jars = {Fixtures.hotplugCalc("1.0.0", staged, "a.jar"), Fixtures.hotplugCalc("1.0.1", staged, "b.jar")};
            Path modules = Files.createDirectories(dir.resolve("modules"));
            Path live = modules.resolve("bench-calc.jar");
            try (Hotplug hotplug = Fixtures.calcFramework(dir).watch(true).build()) {
                hotplug.start();
                Files.copy(jars[0], staged.resolve("next.jar"), StandardCopyOption.REPLACE_EXISTING);
                Files.move(staged.resolve("next.jar"), live, StandardCopyOption.ATOMIC_MOVE);
                await("version 1.0.0 deployed", () -> hotplug.module(Fixtures.CALC)
                        .map(m -> "1.0.0".equals(m.version()) && m.generation() > 0).orElse(false));
                Calc calc = hotplug.service(Calc.class);
                double[] millis = new double[rounds];
                for (int i = 1; i <= rounds; i++) {
                    String expected = "1.0." + (i % 2);
                    Files.copy(jars[i % 2], staged.resolve("next.jar"), StandardCopyOption.REPLACE_EXISTING);
                    long start = System.nanoTime();
                    Files.move(staged.resolve("next.jar"), live, StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                    long deadline = start + TimeUnit.SECONDS.toNanos(10);
                    while (!expected.equals(calc.version())) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("Cannot measure detection: version " + expected
                                    + " not serving 10 s after the rename");
                        }
                        // Parked, not spinning: on two cores a spinning poller would take a core from the watcher.
                        LockSupport.parkNanos(50_000);
                    }
                    millis[i - 1] = (System.nanoTime() - start) / 1e6;
                    long reloads = i;
                    await("reload " + i + " settled", () -> hotplug.module(Fixtures.CALC)
                            .map(m -> m.reloads() >= reloads).orElse(false));
                }
                Arrays.sort(millis);
                return new Result(rounds, millis);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot measure detection: " + e.getMessage(), e);
        } finally {
            Fixtures.deleteTree(dir);
        }
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Cannot measure: timed out waiting for " + what);
            }
            LockSupport.parkNanos(50_000);
        }
    }
}
