package dev.hotplug.benchmarks;

import dev.hotplug.benchmarks.fixture.Calc;
import dev.hotplug.framework.Hotplug;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Retention harness: the heap a released generation keeps reachable until its classes unload. G1 unloads classes only
 * at the end of a concurrent cycle, and until then every young collection treats the generation's loader as live and
 * copies what it reaches. Measured in a child JVM with class unloading off: the growth of the live heap (a class
 * histogram, after a full collection) over {@code reloads} reloads, after as many unmeasured ones, per reload. For the
 * small calculator module, and for one with {@link #EXTRA_CLASSES} more classes. The jars are built here, so the
 * child runs no compiler, whose caches would come and go between its histograms.
 */
final class Retention {

    /** Classes added to the calculator for the larger module. */
    static final int EXTRA_CLASSES = 200;

    /**
     * Bytes kept per released generation.
     *
     * @param reloads measured reloads of each module
     * @param smallBytes of the calculator module (5 classes)
     * @param largeBytes of the calculator with {@link #EXTRA_CLASSES} more
     */
    record Result(int reloads, long smallBytes, long largeBytes) {
    }

    private Retention() {
    }

    /** Builds the jars, runs the child JVM on them; blocks until it is done. */
    static Result run(int reloads) {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("Cannot run the retention harness: no java command"));
        Path dir = Fixtures.tempFolder("hotplug-bench-retention");
        List<String> command = new ArrayList<>(List.of(java, "-XX:-ClassUnloading", "-cp",
                System.getProperty("java.class.path"), Retention.class.getName(), Integer.toString(reloads)));
        for (int extra : new int[] {0, EXTRA_CLASSES}) {
            for (String version : new String[] {"1.0.0", "1.0.1"}) {
                command.add(Fixtures.hotplugCalc(version, dir.resolve("jars"), extra + "-" + version + ".jar", extra)
                        .toString());
            }
        }
        try {
            Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!child.waitFor(10, TimeUnit.MINUTES) || child.exitValue() != 0) {
                throw new IllegalStateException("Cannot measure retention: the child JVM failed; it printed: " + out);
            }
            String[] figures = out.strip().split("\\s+");
            return new Result(reloads, Long.parseLong(figures[figures.length - 2]),
                    Long.parseLong(figures[figures.length - 1]));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the retention harness: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Cannot measure retention: interrupted", e);
        } finally {
            Fixtures.deleteTree(dir);
        }
    }

    /**
     * The child, given the reload count and two versions of each module's jar: prints the bytes per released
     * generation of the small module, then of the larger one.
     */
    public static void main(String[] args) throws JMException {
        int reloads = Integer.parseInt(args[0]);
        long small = perReload(new Path[] {Path.of(args[1]), Path.of(args[2])}, reloads);
        long large = perReload(new Path[] {Path.of(args[3]), Path.of(args[4])}, reloads);
        System.out.println(small + " " + large);
    }

    private static long perReload(Path[] jars, int reloads) throws JMException {
        Path dir = Fixtures.tempFolder("hotplug-bench-retention");
        try (Hotplug hotplug = Fixtures.calcFramework(dir).build()) {
            hotplug.start();
            hotplug.deploy(jars[0]);
            Calc calc = hotplug.service(Calc.class);
            // The first round fills what does not grow with reloads: the reload history, caches, code.
            reload(hotplug, calc, jars, reloads);
            long before = liveBytes();
            reload(hotplug, calc, jars, reloads);
            return (liveBytes() - before) / reloads;
        } finally {
            Fixtures.deleteTree(dir);
        }
    }

    private static void reload(Hotplug hotplug, Calc calc, Path[] jars, int reloads) {
        for (int i = 1; i <= reloads; i++) {
            hotplug.deploy(jars[i % 2]);
            if (calc.apply(i) != Fixtures.calcAnswer(i)) {
                throw new IllegalStateException("Cannot measure retention: the reloaded module answered wrong");
            }
        }
    }

    /** Bytes of live objects: the total of a class histogram, which collects first. */
    private static long liveBytes() throws JMException {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        String[] total = histogram.strip().lines().reduce((first, second) -> second).orElseThrow().trim().split("\\s+");
        return Long.parseLong(total[total.length - 1]);
    }
}
