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
import org.openjdk.jmh.annotations.Threads;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One call of {@link Calc#apply} three ways, at 1 and at 8 threads: a direct interface call on a host object, the
 * Hotplug service proxy ({@code Hotplug.service}) reaching a real module jar, and a JDK {@link Proxy} whose handler
 * calls {@code Method.invoke}. Average time per call, per thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ServiceCallBenchmark {

    private Path dir;
    private Hotplug hotplug;
    private Calc direct;
    private Calc service;
    private Calc jdkProxy;

    /** Per-thread argument, so the JIT cannot fold the call. */
    @State(Scope.Thread)
    public static class Argument {
        /** The value passed to every call. */
        public long x = 42;
    }

    /** Builds the module jar, starts Hotplug on it, and makes the three callees. */
    @Setup(Level.Trial)
    public void setUp() {
        dir = Fixtures.tempFolder("hotplug-bench-call");
        Fixtures.hotplugCalc("1.0.0", dir.resolve("modules"), "bench-calc.jar");
        hotplug = Fixtures.calcFramework(dir).build();
        hotplug.start();
        service = hotplug.service(Calc.class);
        direct = new HostCalc();
        Calc target = new HostCalc();
        InvocationHandler handler = (proxy, method, args) -> method.invoke(target, args);
        jdkProxy = (Calc) Proxy.newProxyInstance(Calc.class.getClassLoader(), new Class<?>[] {Calc.class}, handler);
        for (Calc calc : new Calc[] {direct, service, jdkProxy}) {
            if (calc.apply(42) != Fixtures.calcAnswer(42)) {
                throw new IllegalStateException("Cannot benchmark service calls: " + calc + " computes a wrong value");
            }
        }
    }

    /** Stops Hotplug and deletes the files. */
    @TearDown(Level.Trial)
    public void tearDown() {
        hotplug.close();
        Fixtures.deleteTree(dir);
    }

    /** Baseline: an interface call on a host object, 1 thread. */
    @Benchmark
    @Threads(1)
    public long direct1(Argument a) {
        return direct.apply(a.x);
    }

    /** Baseline: an interface call on a host object, 8 threads. */
    @Benchmark
    @Threads(8)
    public long direct8(Argument a) {
        return direct.apply(a.x);
    }

    /** The Hotplug service proxy, 1 thread. */
    @Benchmark
    @Threads(1)
    public long hotplug1(Argument a) {
        return service.apply(a.x);
    }

    /** The Hotplug service proxy, 8 threads. */
    @Benchmark
    @Threads(8)
    public long hotplug8(Argument a) {
        return service.apply(a.x);
    }

    /** Baseline: {@code java.lang.reflect.Proxy} with {@code Method.invoke}, 1 thread. */
    @Benchmark
    @Threads(1)
    public long jdkProxy1(Argument a) {
        return jdkProxy.apply(a.x);
    }

    /** Baseline: {@code java.lang.reflect.Proxy} with {@code Method.invoke}, 8 threads. */
    @Benchmark
    @Threads(8)
    public long jdkProxy8(Argument a) {
        return jdkProxy.apply(a.x);
    }

    /** The host's own implementation, the same body as the module's. */
    static final class HostCalc implements Calc {
        @Override
        public long apply(long x) {
            return x * 31 + 7;
        }

        @Override
        public String version() {
            return "host";
        }
    }
}
