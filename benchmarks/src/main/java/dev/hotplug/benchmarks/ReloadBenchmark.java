package dev.hotplug.benchmarks;

import dev.hotplug.benchmarks.fixture.Calc;
import dev.hotplug.framework.Hotplug;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * One reload of a small module, sampled (p50, p99): Hotplug's full transaction ({@code Hotplug.deploy} of the other of
 * two versions: stage, quiesce, unload, durable 1 KB state write, load, swap); Felix 7.0.5 {@code Bundle.update} alone
 * and {@code Bundle.update} + {@code refreshBundles}; and the bare-JVM floor (copy the jar, new
 * {@link URLClassLoader}, load and call one class, close the old loader). Each ends only once the new version answers.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ReloadBenchmark {

    /** Hotplug serving the calculator module, with its two versions staged outside the modules folder. */
    @State(Scope.Benchmark)
    public static class HotplugReload {
        private Path dir;
        private Hotplug hotplug;
        private Calc calc;
        private final Path[] jars = new Path[2];
        private final String[] versions = {"1.0.0", "1.0.1"};
        private int next;

        /** Builds both versions, starts Hotplug on the first. */
        @Setup(Level.Trial)
        public void setUp() {
            dir = Fixtures.tempFolder("hotplug-bench-reload");
            for (int i = 0; i < 2; i++) {
                jars[i] = Fixtures.hotplugCalc(versions[i], dir.resolve("staged"), "bench-calc-" + versions[i] + ".jar");
            }
            hotplug = Fixtures.calcFramework(dir).build();
            hotplug.start();
            hotplug.deploy(jars[0]);
            calc = hotplug.service(Calc.class);
            next = 1;
        }

        /** Stops Hotplug (state written) and deletes the files. */
        @TearDown(Level.Trial)
        public void tearDown() {
            hotplug.close();
            Fixtures.deleteTree(dir);
        }

        String reload() {
            String version = versions[next];
            hotplug.deploy(jars[next]);
            next = 1 - next;
            return Reloads.expect(version, calc.version());
        }
    }

    /** Felix 7.0.5 embedded, running the calculator bundle, with its two versions staged. */
    @State(Scope.Benchmark)
    public static class FelixReload {
        private Path dir;
        private FelixHost felix;
        private final Path[] jars = new Path[2];
        private final String[] versions = {"1.0.0", "1.0.1"};
        private int next;

        /** Builds both versions, starts Felix and the first. */
        @Setup(Level.Trial)
        public void setUp() {
            dir = Fixtures.tempFolder("hotplug-bench-felix");
            for (int i = 0; i < 2; i++) {
                jars[i] = Fixtures.felixCalc(versions[i], dir.resolve("staged"), "bench-calc-" + versions[i] + ".jar");
            }
            felix = FelixHost.start(dir.resolve("felix"), jars[0]);
            next = 1;
        }

        /** Stops Felix and deletes the files. */
        @TearDown(Level.Trial)
        public void tearDown() {
            felix.close();
            Fixtures.deleteTree(dir);
        }

        String update(boolean refresh) {
            String version = versions[next];
            felix.update(jars[next], refresh);
            next = 1 - next;
            return Reloads.expect(version, felix.startedVersion());
        }
    }

    /** The floor: a plain jar of two classes, staged in two versions, and the loader of the one serving. */
    @State(Scope.Benchmark)
    public static class FloorReload {
        private Path dir;
        private final Path[] jars = new Path[2];
        private URLClassLoader loader;
        private Path copy;
        private int next;
        private long generation;

        /** Builds both versions. */
        @Setup(Level.Trial)
        public void setUp() {
            dir = Fixtures.tempFolder("hotplug-bench-floor");
            for (int i = 0; i < 2; i++) {
                jars[i] = Fixtures.plainCalc("1.0." + i, dir.resolve("staged"), "calc-" + i + ".jar");
            }
        }

        /** Closes the last loader and deletes the files. */
        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            if (loader != null) {
                loader.close();
            }
            Fixtures.deleteTree(dir);
        }

        long reload() {
            try {
                Path target = dir.resolve("gen-" + (++generation) + ".jar");
                Files.copy(jars[next], target, StandardCopyOption.REPLACE_EXISTING);
                next = 1 - next;
                URLClassLoader fresh = new URLClassLoader(new URL[] {target.toUri().toURL()}, Calc.class.getClassLoader());
                Calc calc = (Calc) fresh.loadClass("bench.calc.CalcImpl").getConstructor(String.class)
                        .newInstance("1.0." + generation);
                long answer = calc.apply(generation);
                if (loader != null) {
                    loader.close();
                    Files.delete(copy);
                }
                loader = fresh;
                copy = target;
                return answer;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Cannot load the floor's class: " + e, e);
            }
        }
    }

    /** Hotplug: one reload through the whole transaction, until the new version answers through the service proxy. */
    @Benchmark
    public String hotplugReload(HotplugReload state) {
        return state.reload();
    }

    /** Felix: {@code Bundle.update} alone; it returns once the new revision's activator ran. */
    @Benchmark
    public String felixUpdate(FelixReload state) {
        return state.update(false);
    }

    /** Felix: {@code Bundle.update} then {@code refreshBundles}, until the refresh finished and the activator ran again. */
    @Benchmark
    public String felixUpdateRefresh(FelixReload state) {
        return state.update(true);
    }

    /** The bare-JVM floor: copy, new loader, load and call one class, close the old loader. */
    @Benchmark
    public long floor(FloorReload state) {
        return state.reload();
    }
}
