package dev.hotplug.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one soak run saw, and its checks: each check is a line that passes or fails; {@link #failures()} lists the
 * failed ones (the soak's exit code is non-zero when any is listed). Immutable.
 *
 * @param settings what ran
 * @param seconds wall time of the reloads
 * @param swapped reloads that swapped to the new version
 * @param rolledBack reloads rolled back to the previous version (the broken ones)
 * @param otherOutcome the first reload that ended otherwise (refused, failed, wrong version), {@code null} when none
 * @param reloadMillis wall time of each reload, sorted
 * @param calls calls that returned (the module counted each)
 * @param failed calls that threw, or returned an answer whose Java and native halves name different versions
 * @param firstFailure the first failed call, {@code null} when none
 * @param count the module's count at the end
 * @param loads the module's count of successful {@code @Load}s at the end
 * @param base the JVM after GC, after the first {@code settings.baselineAfter()} reloads
 * @param end the JVM after GC, after the last reload
 * @param leaks released generations still alive after GC rounds ({@code Hotplug.leaks()}), one line each
 * @param liveGeneration the serving generation's number at the end
 * @param liveVersion the serving version at the end
 * @param previousVersion the version that served before it (kept for {@code rollback}), {@code null} when none
 * @param mapped files mapped from under the cache folder, relative to it; {@code null} when the system cannot tell
 * @param librariesOnDisk native library files under the cache folder, relative to it
 * @param generationFolders generation folders under the cache folder, relative to it
 * @param jarCopies versions of the jar copies under the cache folder's {@code jars/}, sorted
 * @param strayThreads live threads started by a generation other than the serving one, before close
 * @param threadsAfterClose live threads started by any generation, after the framework closed
 * @param settleMillis how long after the callers stopped the mapped libraries were read (at most 10 s of waiting)
 */
record SoakReport(Soak.Settings settings, double seconds, int swapped, int rolledBack, String otherOutcome,
                  double[] reloadMillis, long calls, long failed, String firstFailure, long count, long loads,
                  SoakProbe.Level base, SoakProbe.Level end, List<String> leaks, long liveGeneration,
                  String liveVersion, String previousVersion, List<String> mapped, List<String> librariesOnDisk,
                  List<String> generationFolders, List<String> jarCopies, List<String> strayThreads,
                  List<String> threadsAfterClose, long settleMillis) {

    /** How far loaded classes and metaspace may end from their level after the first reloads. */
    static final double TOLERANCE = 0.10;

    /** The folder of the serving generation, relative to the cache folder. */
    String liveFolder() {
        return SoakModules.NAME + "/gen-" + liveGeneration;
    }

    /** The jar-copy versions expected at the end: the serving one and the previous one, sorted. */
    List<String> expectedJarCopies() {
        List<String> expected = new ArrayList<>();
        expected.add(liveVersion);
        if (previousVersion != null) {
            expected.add(previousVersion);
        }
        expected.sort(null);
        return expected;
    }

    /** One line per check, each starting with PASS or FAIL. */
    List<String> checks() {
        List<String> lines = new ArrayList<>();
        int broken = settings.reloads() / settings.brokenEvery();
        check(lines, otherOutcome == null && swapped == settings.reloads() - broken && rolledBack == broken,
                "reloads: " + swapped + " swapped, " + rolledBack + " rolled back (expected " + (settings.reloads() - broken)
                        + " and " + broken + ")" + (otherOutcome == null ? "" : "; " + otherOutcome));
        check(lines, failed == 0, "failed calls: " + failed + (firstFailure == null ? "" : " (first: " + firstFailure + ")"));
        check(lines, count == calls, "state: count " + count + ", expected " + calls + " (the calls that returned)");
        check(lines, loads == settings.reloads() + 1L, "state: successful @Load " + loads + ", expected "
                + (settings.reloads() + 1L) + " (first start + one per reload, new version or rollback)");
        check(lines, leaks.isEmpty(), "released classloaders still reachable after GC: " + leaks.size()
                + (leaks.isEmpty() ? "" : " " + leaks));
        check(lines, within(base.loadedClasses(), end.loadedClasses()), String.format(Locale.ROOT,
                "loaded classes: %d after %d reloads, %d at the end (%+.1f %%, limit ±%.0f %%)", base.loadedClasses(),
                settings.baselineAfter(), end.loadedClasses(), change(base.loadedClasses(), end.loadedClasses()),
                TOLERANCE * 100));
        check(lines, within(base.metaspaceBytes(), end.metaspaceBytes()), String.format(Locale.ROOT,
                "metaspace used: %.2f MiB after %d reloads, %.2f MiB at the end (%+.1f %%, limit ±%.0f %%)",
                base.metaspaceBytes() / 1048576.0, settings.baselineAfter(), end.metaspaceBytes() / 1048576.0,
                change(base.metaspaceBytes(), end.metaspaceBytes()), TOLERANCE * 100));
        if (mapped == null) {
            lines.add("SKIP native library copies mapped: this system has no /proc/self/maps");
        } else {
            check(lines, mapped.size() == 1 && mapped.get(0).startsWith(liveFolder() + "/"),
                    "native library copies mapped: " + abbreviate(mapped) + " (expected one, under " + liveFolder()
                            + "/; read " + settleMillis + " ms after the callers stopped)");
        }
        check(lines, librariesOnDisk.size() == 1 && librariesOnDisk.get(0).startsWith(liveFolder() + "/"),
                "native library copies on disk: " + abbreviate(librariesOnDisk) + " (expected one, under " + liveFolder() + "/)");
        check(lines, generationFolders.equals(List.of(liveFolder())),
                "generation folders on disk: " + generationFolders + " (expected [" + liveFolder() + "])");
        check(lines, jarCopies.equals(expectedJarCopies()), "jar copies under jars/: " + jarCopies.size() + " "
                + abbreviate(jarCopies) + " (expected the serving version and the previous one kept for rollback: "
                + expectedJarCopies() + ")");
        check(lines, strayThreads.isEmpty(), "threads of released generations still alive: " + strayThreads.size()
                + (strayThreads.isEmpty() ? "" : " " + abbreviate(strayThreads)));
        check(lines, threadsAfterClose.isEmpty(), "module threads alive after close: " + threadsAfterClose.size()
                + (threadsAfterClose.isEmpty() ? "" : " " + threadsAfterClose));
        return lines;
    }

    /** The checks that failed; empty when the soak passed. */
    List<String> failures() {
        return checks().stream().filter(l -> l.startsWith("FAIL")).toList();
    }

    /** The figures and the checks, as the soak prints them. */
    String text() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "soak: %d reloads (1 in %d broken) under %d calling threads in %.1f s%n",
                settings.reloads(), settings.brokenEvery(), settings.threads(), seconds));
        out.append(String.format(Locale.ROOT, "reload ms: p50 %.1f, p99 %.1f, max %.1f%n", percentile(50),
                percentile(99), reloadMillis.length == 0 ? 0 : reloadMillis[reloadMillis.length - 1]));
        out.append(String.format(Locale.ROOT, "calls: %,d (%,.0f per second); serving at the end: %s, generation %d%n",
                calls, calls / Math.max(seconds, 1e-9), liveVersion, liveGeneration));
        for (String line : checks()) {
            out.append(line).append(System.lineSeparator());
        }
        out.append(failures().isEmpty() ? "soak PASSED" : "soak FAILED: " + failures().size() + " check(s)");
        return out.toString();
    }

    private double percentile(int p) {
        if (reloadMillis.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100.0 * reloadMillis.length) - 1;
        return reloadMillis[Math.max(0, Math.min(reloadMillis.length - 1, index))];
    }

    private static boolean within(long base, long end) {
        return Math.abs(end - base) <= TOLERANCE * base;
    }

    private static double change(long base, long end) {
        return base == 0 ? 0 : 100.0 * (end - base) / base;
    }

    private static void check(List<String> lines, boolean passed, String line) {
        lines.add((passed ? "PASS " : "FAIL ") + line);
    }

    private static String abbreviate(List<String> items) {
        return items.size() <= 6 ? items.toString()
                : items.subList(0, 3) + " … " + items.subList(items.size() - 3, items.size());
    }
}
