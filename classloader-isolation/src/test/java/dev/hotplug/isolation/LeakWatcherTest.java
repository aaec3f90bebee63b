package dev.hotplug.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hotplug.testkit.ModuleJarBuilder;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Released generations are watched until collected; what keeps one alive is reported. */
class LeakWatcherTest {

    /** Enough rounds (about 5 s at most) for a collectable loader to go; the check ends as soon as it does. */
    private static final int ENOUGH_ROUNDS = 100;
    private static final Instant RELEASED_AT = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir
    static Path built;

    private static Path jar;

    @TempDir
    Path dir;

    /** Deliberately kept to leak a generation. */
    private Object kept;

    @BeforeAll
    static void buildOnce() {
        jar = ModuleJarBuilder.module("leaky", "1.0.0")
                .source("com.acme.Thing", """
                        package com.acme;
                        public class Thing implements java.util.function.Supplier<Object> {
                            static final byte[] BALLAST = new byte[1024];
                            public Object get() { return this; }
                        }
                        """)
                .source("com.acme.Spinner", """
                        package com.acme;
                        public class Spinner implements java.util.function.Supplier<Object> {
                            public Object get() {
                                Thread t = new Thread(Spinner::spin, "acme-spinner");
                                t.setDaemon(true);
                                t.start();
                                return t;
                            }
                            static void spin() {
                                while (!Thread.currentThread().isInterrupted()) {
                                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
                                }
                            }
                        }
                        """)
                .writeTo(built);
    }

    private final LeakWatcher watcher = new LeakWatcher(Clock.fixed(RELEASED_AT, ZoneOffset.UTC));

    /**
     * Runs a generation's {@code className} supplier, releases the generation and hands it to the watcher;
     * returns what the supplier returned.
     * Kept in its own method so no frame of the test still holds the loader.
     */
    private Object runAndRelease(long generation, String className, Runnable whenCollected) throws Exception {
        ModuleClassLoader loader = new ModuleClassLoader(Fixtures.spec("leaky", generation,
                Fixtures.copyForGeneration(jar, dir, generation)).build());
        Object result = Fixtures.newInstance(loader, className, Supplier.class).get();
        loader.close();
        watcher.watch(loader, whenCollected);
        return result;
    }

    @Test
    void releasedGenerationWithNoReferencesIsCollectedAndItsCallbackRuns() throws Exception {
        AtomicInteger collected = new AtomicInteger();
        runAndRelease(1, "com.acme.Thing", collected::incrementAndGet);
        assertEquals(1, watcher.pending());

        assertEquals(List.of(), watcher.check(ENOUGH_ROUNDS));
        assertEquals(1, collected.get(), "the collection callback ran once");
        assertEquals(0, watcher.pending());
    }

    @Test
    void instanceKeptInAFieldLeaksItsGenerationOnly() throws Exception {
        AtomicInteger collected = new AtomicInteger();
        runAndRelease(1, "com.acme.Thing", collected::incrementAndGet);
        kept = runAndRelease(2, "com.acme.Thing", collected::incrementAndGet);
        assertTrue(Fixtures.await(() -> {
            System.gc();
            return watcher.pending() == 1;
        }, Duration.ofSeconds(5)), "generation 1 was not collected");

        List<LeakWatcher.Leak> leaks = watcher.check(3);

        assertEquals(1, leaks.size(), leaks.toString());
        LeakWatcher.Leak leak = leaks.get(0);
        assertEquals("leaky", leak.module());
        assertEquals("1.0.0", leak.version());
        assertEquals(2, leak.generation());
        assertEquals(RELEASED_AT, leak.releasedAt());
        assertTrue(leak.reason().contains("reachable after 3 GC rounds"), leak.reason());
        assertEquals(1, collected.get(), "generation 1 went, generation 2 did not");

        kept = null;
        assertEquals(List.of(), watcher.check(ENOUGH_ROUNDS));
        assertEquals(2, collected.get());
    }

    @Test
    void threadStillRunningModuleCodeIsReportedByName() throws Exception {
        Thread spinner = (Thread) runAndRelease(3, "com.acme.Spinner", null);
        try {
            List<LeakWatcher.Leak> leaks = watcher.check(2);
            assertEquals(1, leaks.size(), leaks.toString());
            assertEquals(3, leaks.get(0).generation());
            assertTrue(leaks.get(0).reason().contains("'acme-spinner'"), leaks.get(0).reason());
        } finally {
            spinner.interrupt();
            spinner.join(TimeUnit.SECONDS.toMillis(5));
        }
        assertFalse(spinner.isAlive());
        spinner = null;
        assertEquals(List.of(), watcher.check(ENOUGH_ROUNDS), "the generation goes once its thread ends");
    }

    @Test
    void threadHoldingTheLoaderAsContextClassLoaderIsReportedByName() throws Exception {
        CountDownLatch finish = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            started.countDown();
            awaitFinish(finish);
        }, "ccl-holder");
        holder.setDaemon(true);
        setContextLoaderAndRelease(holder, 4);
        holder.start();
        try {
            assertTrue(started.await(5, TimeUnit.SECONDS));
            List<LeakWatcher.Leak> leaks = watcher.check(2);
            assertEquals(1, leaks.size(), leaks.toString());
            assertEquals(4, leaks.get(0).generation());
            assertTrue(leaks.get(0).reason().contains("'ccl-holder'") && leaks.get(0).reason().contains("context"),
                    leaks.get(0).reason());
        } finally {
            finish.countDown();
            holder.join(TimeUnit.SECONDS.toMillis(5));
        }
        assertFalse(holder.isAlive());
        holder = null;
        assertEquals(List.of(), watcher.check(ENOUGH_ROUNDS));
    }

    private void setContextLoaderAndRelease(Thread thread, long generation) throws Exception {
        ModuleClassLoader loader = new ModuleClassLoader(Fixtures.spec("leaky", generation,
                Fixtures.copyForGeneration(jar, dir, generation)).build());
        thread.setContextClassLoader(loader);
        loader.close();
        watcher.watch(loader, null);
    }

    private static void awaitFinish(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test never released the holder thread");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void checkWithNothingWatchedReturnsAtOnce() {
        long start = System.nanoTime();
        assertEquals(List.of(), watcher.check(ENOUGH_ROUNDS));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 1000);
    }
}
