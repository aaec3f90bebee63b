package dev.hotplug.benchmarks;

import dev.hotplug.benchmarks.fixture.Calc;
import dev.hotplug.framework.HistoryEntry;
import dev.hotplug.framework.Hotplug;
import dev.hotplug.framework.Outcome;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where a reload's time goes, unloaded: the same small module as {@link ReloadBenchmark}, reloaded back to back, each
 * reload's whole {@code deploy} timed beside its pause window (quiesce until calls resume, from the reload's
 * {@link HistoryEntry#pauseMicros()}): TARGETS' "from staged to serving". Not JMH: the pause is measured inside.
 */
final class ReloadSplit {

    /**
     * @param deployMillis each measured {@code deploy}, whole (copy, read, stage, pause, release), sorted
     * @param pauseMillis each measured reload's pause window, sorted
     * @param coldDeployMillis the first reloads of the harness, before the JIT has compiled the reload path, sorted
     * @param warmupReloads reloads run before the measured ones, the cold ones included
     */
    record Result(double[] deployMillis, double[] pauseMillis, double[] coldDeployMillis, int warmupReloads) {
    }

    private ReloadSplit() {
    }

    /**
     * Runs {@code reloads} cold reloads, then more until {@code warmupMillis} have passed since the first, then
     * measures {@code reloads} more.
     */
    static Result run(long warmupMillis, int reloads) {
        Path dir = Fixtures.tempFolder("hotplug-bench-split");
        try {
            String[] versions = {"1.0.0", "1.0.1"};
            Path[] jars = {Fixtures.hotplugCalc(versions[0], dir.resolve("staged"), "a.jar"),
                    Fixtures.hotplugCalc(versions[1], dir.resolve("staged"), "b.jar")};
            try (Hotplug hotplug = Fixtures.calcFramework(dir).build()) {
                hotplug.start();
                hotplug.deploy(jars[0]);
                Calc calc = hotplug.service(Calc.class);
                double[] cold = new double[reloads];
                long warmupEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(warmupMillis);
                int i = 0;
                while (i < reloads || System.nanoTime() - warmupEnd < 0) {
                    i++;
                    long nanos = reload(hotplug, calc, jars[i % 2], versions[i % 2]);
                    if (i <= reloads) {
                        cold[i - 1] = nanos / 1e6;
                    }
                }
                int warmups = i;
                double[] deploy = new double[reloads];
                double[] pause = new double[reloads];
                for (int k = 0; k < reloads; k++) {
                    i++;
                    deploy[k] = reload(hotplug, calc, jars[i % 2], versions[i % 2]) / 1e6;
                    List<HistoryEntry> history = hotplug.history(Fixtures.CALC);
                    HistoryEntry last = history.get(history.size() - 1);
                    if (last.outcome() != Outcome.SWAPPED) {
                        throw new IllegalStateException("Cannot measure a reload: " + last);
                    }
                    pause[k] = last.pauseMicros() / 1e3;
                }
                Arrays.sort(cold);
                Arrays.sort(deploy);
                Arrays.sort(pause);
                return new Result(deploy, pause, cold, warmups);
            }
        } finally {
            Fixtures.deleteTree(dir);
        }
    }

    /** Deploys {@code jar} and checks that {@code version} answers; returns the nanoseconds it took. */
    private static long reload(Hotplug hotplug, Calc calc, Path jar, String version) {
        long start = System.nanoTime();
        hotplug.deploy(jar);
        Reloads.expect(version, calc.version());
        return System.nanoTime() - start;
    }
}
