package dev.hotplug.benchmarks;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Runs every benchmark and harness and prints a table of medians with the ratio to each baseline ({@code ./hotplug
 * bench}). Arguments: {@code [--smoke] [--out FILE]}; {@code --smoke} is the few-second run the build's test uses.
 */
public final class BenchMain {

    /**
     * How long each part runs.
     *
     * @param forks JMH forks (0 runs in this JVM)
     * @param warmups JMH warm-up iterations of the service call
     * @param reloadWarmups JMH warm-up iterations of each reload benchmark: reloads bring new classes, and the JIT
     *                      needs about 20 s of them before a reload runs on compiled code
     * @param iterationMillis length of each JMH iteration
     * @param measurements JMH measurement iterations
     * @param splitWarmupMillis how long reloads run back to back before the split of reload time is measured; the
     *                          first {@code splitReloads} of them are timed as the cold figure
     * @param splitReloads measured reloads in that split, and the cold ones reported beside them
     * @param swapReloads reloads under the 8 calling threads
     * @param detectionRounds renames into the watched folder
     * @param scaleModules modules in the scale tree
     * @param scaleFrameworks fresh frameworks started with them
     * @param scaleReloads reloads of a leaf and of an inner module per framework
     * @param retentionReloads measured reloads of each module in the retention harness, after as many unmeasured
     */
    record Profile(int forks, int warmups, int reloadWarmups, int iterationMillis, int measurements,
                   long splitWarmupMillis, int splitReloads, int swapReloads, int detectionRounds, int scaleModules,
                   int scaleFrameworks, int scaleReloads, int retentionReloads) {

        /** The documented full run: a few minutes on two cores. */
        static final Profile FULL = new Profile(1, 3, 20, 1000, 5, 20_000, 500, 1000, 30, 200, 3, 5, 200);
        /** A few seconds, in this JVM: proves each part runs and produces a figure. */
        static final Profile SMOKE = new Profile(0, 0, 0, 100, 1, 0, 3, 5, 2, 20, 1, 1, 10);
    }

    private BenchMain() {
    }

    /**
     * Runs everything with the full profile (or {@code --smoke}), prints the table, and writes it to {@code --out FILE}
     * when given.
     */
    public static void main(String[] args) throws RunnerException, IOException {
        Profile profile = Profile.FULL;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> profile = Profile.SMOKE;
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("Cannot run benchmarks: unknown argument " + args[i]
                        + " (expected --smoke, --out FILE)");
            }
        }
        Report report = run(profile, VerboseMode.NORMAL);
        String table = report.table();
        System.out.println();
        System.out.println(table);
        if (out != null) {
            Files.writeString(out, table, StandardCharsets.UTF_8);
        }
    }

    /** Runs the two JMH benchmarks, then the five harnesses; blocks for the whole run. */
    static Report run(Profile profile, VerboseMode verbosity) throws RunnerException {
        List<RunResult> jmh = new ArrayList<>();
        jmh.addAll(jmh(profile, verbosity, ServiceCallBenchmark.class.getSimpleName(), profile.warmups()));
        jmh.addAll(jmh(profile, verbosity, ReloadBenchmark.class.getSimpleName(), profile.reloadWarmups()));
        progress("reload split: " + profile.splitReloads() + " reloads after " + profile.splitWarmupMillis()
                + " ms of unmeasured ones");
        ReloadSplit.Result split = ReloadSplit.run(profile.splitWarmupMillis(), profile.splitReloads());
        progress("swap pause: " + profile.swapReloads() + " reloads under 8 calling threads");
        SwapPause.Result pause = SwapPause.run(profile.swapReloads(), 8);
        progress("detection: " + profile.detectionRounds() + " renames into the watched folder");
        Detection.Result detection = Detection.run(profile.detectionRounds());
        progress("scale: " + profile.scaleModules() + " modules, " + profile.scaleFrameworks() + " frameworks");
        Scale.Result scale = Scale.run(profile.scaleModules(), profile.scaleFrameworks(), profile.scaleReloads());
        progress("retention: " + profile.retentionReloads() + " reloads of two modules in a JVM that unloads no class");
        Retention.Result retention = Retention.run(profile.retentionReloads());
        return new Report(profile, jmh, split, pause, detection, scale, retention);
    }

    private static Collection<RunResult> jmh(Profile profile, VerboseMode verbosity, String benchmark, int warmups)
            throws RunnerException {
        TimeValue time = TimeValue.milliseconds(profile.iterationMillis());
        Options options = new OptionsBuilder()
                .include("dev\\.hotplug\\.benchmarks\\." + benchmark + "\\.")
                .forks(profile.forks())
                .warmupIterations(warmups).warmupTime(time)
                .measurementIterations(profile.measurements()).measurementTime(time)
                .shouldFailOnError(true)
                .verbosity(verbosity)
                .build();
        return new Runner(options).run();
    }

    private static void progress(String line) {
        System.out.println("# " + line);
    }
}
