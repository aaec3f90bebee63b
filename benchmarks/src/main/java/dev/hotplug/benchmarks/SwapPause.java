package dev.hotplug.benchmarks;

import dev.hotplug.benchmarks.fixture.Calc;
import dev.hotplug.framework.HistoryEntry;
import dev.hotplug.framework.Hotplug;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Swap pause harness: {@code threads} threads call the Hotplug service proxy back to back while the main thread runs
 * {@code reloads} reloads (alternating two versions) to warm the callers' and the drain's code, then {@code reloads}
 * measured ones; every call is timed with {@code System.nanoTime} and checked, warm-up calls included for failures.
 * Then the same callers go on for as long again with no reload: the control, which shows how many calls are slow
 * only because 8 callers share the CPUs.
 */
final class SwapPause {

    /** Calls slower than this are counted apart: they are the ones that waited on a swap (or were descheduled). */
    static final long SLOW_NANOS = 50_000;

    /**
     * What the callers saw.
     *
     * @param reloads reloads run
     * @param threads calling threads
     * @param calls calls made
     * @param failed calls that threw or returned a wrong value
     * @param all latencies of all calls
     * @param slow latencies of the calls slower than {@link #SLOW_NANOS}
     * @param reloadMillis wall time of each reload, sorted
     * @param pauseMillis each reload's pause window under the callers (its {@code HistoryEntry.pauseMicros}), sorted
     * @param warmupPauseMillis the pause windows of the warm-up reloads, the first under these callers, sorted
     * @param control latencies of the calls in the control window, with no reload
     * @param controlSlow latencies of the control calls slower than {@link #SLOW_NANOS}
     * @param firstFailure the first failure, {@code null} when none
     */
    record Result(int reloads, int threads, long calls, long failed, LatencyHistogram all, LatencyHistogram slow,
                  double[] reloadMillis, double[] pauseMillis, double[] warmupPauseMillis, LatencyHistogram control,
                  LatencyHistogram controlSlow, String firstFailure) {
    }

    private SwapPause() {
    }

    static Result run(int reloads, int threads) {
        Path dir = Fixtures.tempFolder("hotplug-bench-pause");
        try {
            Path[] jars = {Fixtures.hotplugCalc("1.0.0", dir.resolve("staged"), "a.jar"),
                    Fixtures.hotplugCalc("1.0.1", dir.resolve("staged"), "b.jar")};
            try (Hotplug hotplug = Fixtures.calcFramework(dir).build()) {
                hotplug.start();
                hotplug.deploy(jars[0]);
                Calc calc = hotplug.service(Calc.class);
                return measure(hotplug, calc, jars, reloads, threads);
            }
        } finally {
            Fixtures.deleteTree(dir);
        }
    }

    private static Result measure(Hotplug hotplug, Calc calc, Path[] jars, int reloads, int threads) {
        Caller[] callers = new Caller[threads];
        List<Thread> running = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(threads);
        AtomicReference<String> firstFailure = new AtomicReference<>();
        for (int i = 0; i < threads; i++) {
            callers[i] = new Caller(calc, started, firstFailure);
            Thread thread = new Thread(callers[i], "caller-" + i);
            thread.setDaemon(true);
            thread.start();
            running.add(thread);
        }
        double[] reloadMillis = new double[reloads];
        double[] pauseMillis = new double[reloads];
        double[] warmupPauseMillis = new double[reloads];
        try {
            started.await();
            for (int i = 0; i < reloads; i++) {
                warmupPauseMillis[i] = reload(hotplug, jars[(i + 1) % 2]);
            }
            for (Caller caller : callers) {
                caller.phase = Caller.RELOADS;
            }
            long began = System.nanoTime();
            for (int i = 0; i < reloads; i++) {
                long start = System.nanoTime();
                pauseMillis[i] = reload(hotplug, jars[(i + 1) % 2]);
                reloadMillis[i] = (System.nanoTime() - start) / 1e6;
            }
            long reloading = System.nanoTime() - began;
            for (Caller caller : callers) {
                caller.phase = Caller.CONTROL;
            }
            // A measuring window, not a wait for a condition: the callers run as long again with no reload.
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(reloading));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Cannot measure the swap pause: interrupted", e);
        } finally {
            for (Caller caller : callers) {
                caller.stop = true;
            }
            for (Thread thread : running) {
                join(thread);
            }
        }
        LatencyHistogram all = new LatencyHistogram();
        LatencyHistogram slow = new LatencyHistogram();
        LatencyHistogram control = new LatencyHistogram();
        LatencyHistogram controlSlow = new LatencyHistogram();
        long failed = 0;
        for (Caller caller : callers) {
            all.add(caller.all);
            slow.add(caller.slow);
            control.add(caller.controlAll);
            controlSlow.add(caller.controlSlow);
            failed += caller.failed;
        }
        Arrays.sort(reloadMillis);
        Arrays.sort(pauseMillis);
        Arrays.sort(warmupPauseMillis);
        return new Result(reloads, threads, all.count(), failed, all, slow, reloadMillis, pauseMillis,
                warmupPauseMillis, control, controlSlow, firstFailure.get());
    }

    /** Deploys {@code jar} and returns that reload's pause window in ms. */
    private static double reload(Hotplug hotplug, Path jar) {
        hotplug.deploy(jar);
        List<HistoryEntry> history = hotplug.history(Fixtures.CALC);
        return history.get(history.size() - 1).pauseMicros() / 1e3;
    }

    /** Joins a calling thread (up to 30 s); throws when it is still running. */
    static void join(Thread thread) {
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Cannot join " + thread.getName() + ": interrupted", e);
        }
        if (thread.isAlive()) {
            throw new IllegalStateException("Cannot join " + thread.getName() + ": still calling after 30 s");
        }
    }

    private static final class Caller implements Runnable {
        private final Calc calc;
        private final CountDownLatch started;
        private final AtomicReference<String> firstFailure;
        final LatencyHistogram all = new LatencyHistogram();
        final LatencyHistogram slow = new LatencyHistogram();
        final LatencyHistogram controlAll = new LatencyHistogram();
        final LatencyHistogram controlSlow = new LatencyHistogram();
        long failed;
        static final int WARMUP = 0;
        static final int RELOADS = 1;
        static final int CONTROL = 2;
        volatile boolean stop;
        /** Which histograms calls go to: none while warming up, then the reloads', then the control's. */
        volatile int phase = WARMUP;

        Caller(Calc calc, CountDownLatch started, AtomicReference<String> firstFailure) {
            this.calc = calc;
            this.started = started;
            this.firstFailure = firstFailure;
        }

        @Override
        public void run() {
            started.countDown();
            long x = 0;
            while (!stop) {
                x++;
                long start = System.nanoTime();
                try {
                    long answer = calc.apply(x);
                    long nanos = System.nanoTime() - start;
                    int now = phase;
                    if (now != WARMUP) {
                        (now == RELOADS ? all : controlAll).record(nanos);
                        if (nanos > SLOW_NANOS) {
                            (now == RELOADS ? slow : controlSlow).record(nanos);
                        }
                    }
                    if (answer != Fixtures.calcAnswer(x)) {
                        failed++;
                        firstFailure.compareAndSet(null, "apply(" + x + ") answered " + answer);
                    }
                } catch (RuntimeException e) {
                    all.record(System.nanoTime() - start);
                    failed++;
                    firstFailure.compareAndSet(null, e.toString());
                }
            }
        }
    }
}
