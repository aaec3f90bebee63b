package dev.hotplug.benchmarks;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.util.Statistics;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * The figures of one run, formatted as the table {@code ./hotplug bench} prints: medians, p99 where it matters, and
 * ratios to the baselines measured in the same run. Immutable.
 */
record Report(BenchMain.Profile profile, List<RunResult> jmh, ReloadSplit.Result split, SwapPause.Result pause,
              Detection.Result detection,
              Scale.Result scale, Retention.Result retention) {

    /** The statistics of JMH benchmark {@code method}; throws when it did not run. */
    Statistics stats(String method) {
        for (RunResult result : jmh) {
            String benchmark = result.getParams().getBenchmark();
            if (benchmark.endsWith("." + method)) {
                return result.getPrimaryResult().getStatistics();
            }
        }
        throw new IllegalStateException("Cannot report benchmark " + method + ": it produced no result");
    }

    String table() {
        StringBuilder t = new StringBuilder();
        line(t, "Machine: %s", machine());
        line(t, "Profile: JMH forks %d, warm-up %d x %d ms (reload benchmarks: %d x %d ms), measurement %d x %d ms",
                profile.forks(), profile.warmups(), profile.iterationMillis(), profile.reloadWarmups(),
                profile.iterationMillis(), profile.measurements(), profile.iterationMillis());
        line(t, "");
        line(t, "Service call, ns per call per thread (JMH avgt, median of iterations)");
        line(t, "| threads | direct | Hotplug proxy | JDK Proxy + Method.invoke | Hotplug / direct | Hotplug / JDK Proxy |");
        line(t, "|---|---|---|---|---|---|");
        for (int threads : new int[] {1, 8}) {
            double direct = median("direct" + threads);
            double hotplug = median("hotplug" + threads);
            double proxy = median("jdkProxy" + threads);
            line(t, "| %d | %.2f | %.2f | %.2f | %.2fx | %.2fx |", threads, direct, hotplug, proxy, hotplug / direct,
                    hotplug / proxy);
        }
        line(t, "");
        line(t, "Reload of a small module, ms (JMH SampleTime: p50 [p99], samples)");
        line(t, "| what | p50 | p99 | samples | Hotplug p50 / this p50 |");
        line(t, "|---|---|---|---|---|");
        double hotplug = median("hotplugReload");
        for (String[] row : new String[][] {
                {"hotplugReload", "Hotplug deploy (full transaction, 1 KB state fsync'd)"},
                {"felixUpdateRefresh", "Felix 7.0.5 Bundle.update + refreshBundles (until PACKAGES_REFRESHED)"},
                {"felixUpdate", "Felix 7.0.5 Bundle.update only (returns after the new activator ran)"},
                {"floor", "floor: copy jar, new URLClassLoader, load + call, close old"}}) {
            Statistics s = stats(row[0]);
            line(t, "| %s | %.3f | %.3f | %d | %.2fx |", row[1], s.getPercentile(50), s.getPercentile(99), s.getN(),
                    hotplug / s.getPercentile(50));
        }
        line(t, "");
        line(t, "Reload split, ms: %d back-to-back reloads after %d unmeasured in %d ms (not JMH; p50 [p99])",
                split.deployMillis().length, split.warmupReloads(), profile.splitWarmupMillis());
        line(t, "| whole deploy | pause window: quiesce -> calls resume (staged -> serving)"
                + " | pause / Felix update+refresh p50"
                + " | whole deploy, the harness's first %d reloads (cold JIT in a full run) |",
                split.coldDeployMillis().length);
        line(t, "|---|---|---|---|");
        line(t, "| %.3f [%.3f] | %.3f [%.3f] | %.2fx | %.3f [%.3f] |", median(split.deployMillis()),
                p99(split.deployMillis()), median(split.pauseMillis()), p99(split.pauseMillis()),
                median(split.pauseMillis()) / median("felixUpdateRefresh"), median(split.coldDeployMillis()),
                p99(split.coldDeployMillis()));
        line(t, "");
        line(t, "Swap pause: %d calling threads, %d reloads (median reload %.2f ms)", pause.threads(), pause.reloads(),
                median(pause.reloadMillis()));
        LatencyHistogram all = pause.all();
        LatencyHistogram slow = pause.slow();
        line(t, "| calls | failed | p50 | p99 | p99.9 | max | calls > %d us | their p50 | their p99 |",
                SwapPause.SLOW_NANOS / 1000);
        line(t, "|---|---|---|---|---|---|---|---|---|");
        line(t, "| %d | %d | %s | %s | %s | %s | %d | %s | %s |", pause.calls(), pause.failed(),
                nanos(all.percentile(50)), nanos(all.percentile(99)), nanos(all.percentile(99.9)), nanos(all.max()),
                slow.count(), nanos(slow.percentile(50)), nanos(slow.percentile(99)));
        if (pause.firstFailure() != null) {
            line(t, "first failed call: %s", pause.firstFailure());
        }
        LatencyHistogram control = pause.control();
        LatencyHistogram controlSlow = pause.controlSlow();
        line(t, "| pause window under the callers: p50 [p99] | the %d warm-up reloads before: p50 [p99]"
                + " | control, as long again with no reload: calls | calls > %d us | their p50 | their p99 |",
                pause.warmupPauseMillis().length, SwapPause.SLOW_NANOS / 1000);
        line(t, "|---|---|---|---|---|---|");
        line(t, "| %.3f ms [%.3f] | %.3f ms [%.3f] | %d | %d | %s | %s |", median(pause.pauseMillis()),
                p99(pause.pauseMillis()), median(pause.warmupPauseMillis()), p99(pause.warmupPauseMillis()),
                control.count(), controlSlow.count(), nanos(controlSlow.percentile(50)),
                nanos(controlSlow.percentile(99)));
        line(t, "");
        line(t, "Detection: atomic rename into the watched folder -> new version serving, %d renames", detection.rounds());
        line(t, "| median | p99 | max |");
        line(t, "|---|---|---|");
        line(t, "| %.1f ms | %.1f ms | %.1f ms |", median(detection.millis()), p99(detection.millis()),
                max(detection.millis()));
        line(t, "");
        line(t, "Scale: %d modules in a binary tree of imports", scale.modules());
        line(t, "| build + start all (median of %d) | leaf reload (median, p99 of %d) | inner reload, 3 modules swap"
                + " (median, p99 of %d) |", scale.startMillis().length, scale.leafMillis().length,
                scale.innerMillis().length);
        line(t, "|---|---|---|");
        line(t, "| %.0f ms | %.1f ms, %.1f ms | %.1f ms, %.1f ms |", median(scale.startMillis()),
                median(scale.leafMillis()), p99(scale.leafMillis()), median(scale.innerMillis()), p99(scale.innerMillis()));
        line(t, "");
        line(t, "Retention: live heap a released generation keeps until its classes unload (class unloading off,"
                + " %d reloads after as many)", retention.reloads());
        line(t, "| calculator module, 5 classes | with %d more classes |", Retention.EXTRA_CLASSES);
        line(t, "|---|---|");
        line(t, "| %.1f KB | %.1f KB |", retention.smallBytes() / 1024.0, retention.largeBytes() / 1024.0);
        return t.toString();
    }

    private double median(String method) {
        return stats(method).getPercentile(50);
    }

    static double median(double[] sorted) {
        return sorted.length == 0 ? Double.NaN : sorted[(sorted.length - 1) / 2];
    }

    static double p99(double[] sorted) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.ceil(sorted.length * 0.99) - 1];
    }

    static double max(double[] sorted) {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
    }

    private static String nanos(long nanos) {
        if (nanos < 10_000) {
            return nanos + " ns";
        }
        return nanos < 10_000_000 ? String.format(Locale.ROOT, "%.1f us", nanos / 1e3)
                : String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }

    private static String machine() {
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        return String.format(Locale.ROOT, "%d CPUs, %.1f GiB RAM, %s %s (%s), %s %s", Runtime.getRuntime()
                        .availableProcessors(), memory / (1024.0 * 1024 * 1024), System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), System.getProperty("java.vendor"),
                System.getProperty("os.name"), System.getProperty("os.arch"));
    }

    private static void line(StringBuilder t, String format, Object... args) {
        t.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
