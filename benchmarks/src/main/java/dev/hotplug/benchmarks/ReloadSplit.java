package dev.hotplug.benchmarks;

import dev.hotplug.benchmarks.fixture.Calc;
import dev.hotplug.framework.HistoryEntry;
import dev.hotplug.framework.Hotplug;
import dev.hotplug.framework.Outcome;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Where a reload's time goes, unloaded: the same small module as {@link ReloadBenchmark}, reloaded back to back, each
 * reload's whole {@code deploy} timed beside its pause window (quiesce until calls resume, from the reload's
 * {@link HistoryEntry#pauseMicros()}): TARGETS' "from staged to serving". Not JMH: the pause is measured inside.
 */
final class ReloadSplit {

    /**
     * @param deployMillis each measured {@code deploy}, whole (copy, read, stage, pause, release), sorted
     * @param pauseMillis each measured reload's pause window, sorted
     */
    record Result(double[] deployMillis, double[] pauseMillis) {
    }

    private ReloadSplit() {
    }

    /** Runs {@code warmups} reloads, then measures {@code reloads} more. */
    static Result run(int warmups, int reloads) {
        Path dir = Fixtures.tempFolder("hotplug-bench-split");
        try {
            String[] versions = {"1.0.0", "1.0.1"};
            Path[] jars = {Fixtures.hotplugCalc(versions[0], dir.resolve("staged"), "a.jar"),
                    Fixtures.hotplugCalc(versions[1], dir.resolve("staged"), "b.jar")};
            try (Hotplug hotplug = Hotplug.builder().modulesFolder(dir.resolve("modules"))
                    .stateFolder(dir.resolve("state"))
                    .share(Calc.class.getClassLoader(), "dev.hotplug.benchmarks.fixture").build()) {
                hotplug.start();
                hotplug.deploy(jars[0]);
                Calc calc = hotplug.service(Calc.class);
                double[] deploy = new double[reloads];
                double[] pause = new double[reloads];
                for (int i = 1; i <= warmups + reloads; i++) {
                    long start = System.nanoTime();
                    hotplug.deploy(jars[i % 2]);
                    Reloads.expect(versions[i % 2], calc.version());
                    long nanos = System.nanoTime() - start;
                    if (i > warmups) {
                        List<HistoryEntry> history = hotplug.history(Fixtures.CALC);
                        HistoryEntry last = history.get(history.size() - 1);
                        if (last.outcome() != Outcome.SWAPPED) {
                            throw new IllegalStateException("Cannot measure a reload: " + last);
                        }
                        deploy[i - warmups - 1] = nanos / 1e6;
                        pause[i - warmups - 1] = last.pauseMicros() / 1e3;
                    }
                }
                Arrays.sort(deploy);
                Arrays.sort(pause);
                return new Result(deploy, pause);
            }
        } finally {
            Fixtures.deleteTree(dir);
        }
    }
}
