package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Ticker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 6's load test: 8 threads call a service without pause through 200 reloads, every tenth of which fails in
 * {@code @Load} and rolls back. No call fails, every answer comes from one generation that served, and the count carried
 * across reloads never goes back and ends equal to the number of calls. Prints the swap pauses callers saw.
 */
class ServiceLoadTest {

    private static final int THREADS = 8;
    private static final int RELOADS = 200;
    /** Calls slower than this are kept for the pause figures. */
    private static final long SLOW_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    @TempDir
    Path dir;

    /** What one calling thread saw. */
    private static final class Caller extends Thread {
        final Ticker ticker;
        final AtomicBoolean stop;
        long calls;
        final List<Throwable> failures = new ArrayList<>();
        final List<String> inconsistencies = new ArrayList<>();
        final List<Ticker.Tick> seen = new ArrayList<>();
        /** Start and duration of each slow call. */
        final List<long[]> slow = new ArrayList<>();

        Caller(int index, Ticker ticker, AtomicBoolean stop) {
            super("caller-" + index);
            this.ticker = ticker;
            this.stop = stop;
        }

        @Override
        public void run() {
            Ticker.Tick last = null;
            while (!stop.get()) {
                long started = System.nanoTime();
                Ticker.Tick tick;
                try {
                    tick = ticker.tick();
                } catch (Throwable e) {
                    failures.add(e);
                    continue;
                }
                long took = System.nanoTime() - started;
                calls++;
                if (took >= SLOW_NANOS) {
                    slow.add(new long[] {started, took});
                }
                if (last == null || tick.generation() != last.generation()) {
                    seen.add(tick);
                }
                if (last != null && (tick.count() <= last.count() || tick.generation() < last.generation())) {
                    inconsistencies.add(last + " then " + tick);
                }
                last = tick;
            }
            if (last != null) {
                seen.add(last);
            }
        }
    }

    @Test
    void eightCallersThroughTwoHundredReloadsWithRollbacksLoseNothing() throws Exception {
        byte[] compiled = TestModules.module("ticker", "0", "com.acme.ticker.TickerModule", TICKER).toBytes();
        Path in = Files.createDirectories(dir.resolve("in"));
        Map<Long, String> served = new ConcurrentHashMap<>();
        Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
        List<long[]> windows = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Caller> callers = new ArrayList<>();
        try (Hotplug hotplug = TestModules.hotplug(dir).serviceWait(Duration.ofSeconds(10)).build()) {
            hotplug.start();
            ModuleInfo first = hotplug.deploy(write(compiled, "1.0.0", in));
            served.put(first.generation(), first.version());
            Ticker ticker = hotplug.service(Ticker.class);
            for (int i = 0; i < THREADS; i++) {
                callers.add(new Caller(i, ticker, stop));
            }
            callers.forEach(Thread::start);
            try {
                for (int i = 1; i <= RELOADS; i++) {
                    boolean failing = i % 10 == 7;
                    String version = "1." + i + (failing ? ".13" : ".0");
                    Path jar = write(compiled, version, in);
                    long started = System.nanoTime();
                    ModuleInfo after = hotplug.deploy(jar);
                    windows.add(new long[] {started, System.nanoTime()});
                    served.put(after.generation(), after.version());
                    Outcome outcome = ReloadRollbackTest.last(hotplug.history("ticker")).outcome();
                    outcomes.merge(outcome, 1, Integer::sum);
                    assertEquals(ModuleStatus.ACTIVE, after.status(), String.valueOf(after.lastError()));
                    if (outcome != Outcome.REFUSED) {
                        assertEquals(failing ? Outcome.ROLLED_BACK : Outcome.SWAPPED, outcome, version);
                    }
                    if (failing) {
                        assertNotEquals(version, after.version(), "a failing version never serves");
                    }
                }
            } finally {
                stop.set(true);
                for (Caller caller : callers) {
                    caller.join(TimeUnit.SECONDS.toMillis(30));
                }
            }

            long total = 0;
            for (Caller caller : callers) {
                assertTrue(caller.failures.isEmpty(), caller.getName() + " saw " + caller.failures.size()
                        + " failed calls, first: " + (caller.failures.isEmpty() ? "" : caller.failures.get(0)));
                assertTrue(caller.inconsistencies.isEmpty(), caller.getName() + ": " + caller.inconsistencies);
                for (Ticker.Tick tick : caller.seen) {
                    assertEquals(served.get(tick.generation()), tick.version(),
                            tick + " comes from a generation that served, and matches its version");
                }
                assertTrue(caller.calls > 0, caller.getName() + " made calls");
                total += caller.calls;
            }
            assertEquals(total + 1, ticker.tick().count(), "every call counted once, across all reloads");
            System.out.println("ServiceLoadTest: " + total + " calls, reloads " + outcomes + ", "
                    + pauses(callers, windows));
        }
    }

    /** The longest call each reload made its callers wait, as a distribution over reloads. */
    private static String pauses(List<Caller> callers, List<long[]> windows) {
        List<Long> worst = new ArrayList<>();
        for (long[] window : windows) {
            long max = 0;
            for (Caller caller : callers) {
                for (long[] call : caller.slow) {
                    if (call[0] >= window[0] && call[0] <= window[1]) {
                        max = Math.max(max, call[1]);
                    }
                }
            }
            worst.add(max);
        }
        worst.sort(null);
        return String.format("swap pause per reload (longest call started during it, calls under 0.1 ms count as 0):"
                        + " p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", ms(worst, 0.50), ms(worst, 0.90),
                ms(worst, 0.99), ms(worst, 1.0));
    }

    private static double ms(List<Long> sorted, double quantile) {
        int index = Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1);
        return sorted.get(Math.max(0, index)) / 1e6;
    }

    private static Path write(byte[] compiled, String version, Path in) throws IOException {
        Path target = in.resolve("ticker-" + version + ".jar");
        FolderWatcherTest.atomicWrite(target, FolderWatcherTest.relabel(compiled, "ticker", version, Map.of()));
        return target;
    }

    private static final String TICKER = """
            package com.acme.ticker;

            import dev.hotplug.api.*;
            import dev.hotplug.framework.fixture.Ticker;
            import java.util.concurrent.atomic.AtomicLong;

            @HotplugModule
            public class TickerModule implements Ticker {
                public record Saved(long count) { }

                private final AtomicLong count = new AtomicLong();
                private String version;
                private long generation;

                @Load
                void load(ModuleContext context, Saved saved) {
                    version = context.version();
                    generation = context.generation();
                    if (saved != null) {
                        count.set(saved.count());
                    }
                    context.register(Ticker.class, this);
                    if (version.endsWith(".13")) {
                        throw new IllegalStateException("deliberate failure of " + version);
                    }
                }

                @Unload
                Saved unload() {
                    return new Saved(count.get());
                }

                public Ticker.Tick tick() {
                    return new Ticker.Tick(version, generation, count.incrementAndGet());
                }
            }
            """;
}
