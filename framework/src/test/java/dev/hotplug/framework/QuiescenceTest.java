package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Blocker;
import dev.hotplug.framework.fixture.Counter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import static dev.hotplug.framework.ReloadRollbackTest.last;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue #6: calls in flight drain before a reload unloads the old version; when they do not drain in time the reload
 * is abandoned and the old version keeps serving, untouched.
 */
class QuiescenceTest {

    private static final String SLOW = """
            package com.acme.slow;

            import dev.hotplug.api.*;
            import dev.hotplug.framework.fixture.Blocker;
            import dev.hotplug.framework.fixture.Counter;

            @HotplugModule
            public class Slow implements Counter {
                private String version;
                private long count;

                @Load
                void load(ModuleContext context) {
                    version = context.version();
                    context.register(Counter.class, this);
                }

                public long increment() {
                    try {
                        Blocker.hold();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return ++count;
                }

                public String version() {
                    return version;
                }
            }
            """;

    private static final String OTHER = """
            package com.acme.other;

            import dev.hotplug.api.*;

            @HotplugModule
            public class Other {
                @Load
                void load(ModuleContext context) {
                }
            }
            """;

    private static final String CALLER = """
            package com.acme.caller;

            import dev.hotplug.api.*;
            import dev.hotplug.framework.fixture.Counter;

            @HotplugModule
            public class Caller {
                @Load(timeoutMillis = 200)
                void load(ModuleContext context) {
                    context.service(Counter.class).increment();
                }
            }
            """;

    @TempDir
    Path dir;

    /** A started framework serving slow 1.0.0, with the blocker armed; the caller closes it. */
    private Hotplug servingSlow(Duration drainTimeout) {
        Blocker.arm();
        Hotplug hotplug = TestModules.hotplug(dir).drainTimeout(drainTimeout).build();
        try {
            hotplug.start();
            hotplug.deploy(slow("1.0.0"));
            return hotplug;
        } catch (RuntimeException e) {
            hotplug.close();
            throw e;
        }
    }

    private Path slow(String version) {
        return TestModules.write(TestModules.module("slow", version, "com.acme.slow.Slow", SLOW),
                "slow-" + version + ".jar", "slow|" + SLOW + "|" + version, dir.resolve("in"));
    }

    @Test
    void aCallThatDoesNotDrainAbandonsTheReloadAndTheOldVersionServesOn() throws Exception {
        callInFlightHoldsTheReload(ForkJoinPool.commonPool());
    }

    @Test
    void aCallInFlightOnAVirtualThreadHoldsTheReloadThoughNoStackScanShowsIt() throws Exception {
        ExecutorService virtualThreads = virtualThreads();
        try {
            callInFlightHoldsTheReload(virtualThreads);
        } finally {
            virtualThreads.shutdown();
        }
    }

    @Test
    void aVirtualThreadCallingAfterManyPlatformThreadsStillHoldsTheReload() throws Exception {
        ExecutorService virtualThreads = virtualThreads();
        try {
            callInFlightHoldsTheReload(virtualThreads, true);
        } finally {
            virtualThreads.shutdown();
        }
    }

    private void callInFlightHoldsTheReload(Executor callers) throws Exception {
        callInFlightHoldsTheReload(callers, false);
    }

    /**
     * With {@code manyBefore}, platform threads call the service first until their ids cover every residue of the
     * slot's mark, so a thread that took the fast path on its id alone would call unmarked.
     */
    private void callInFlightHoldsTheReload(Executor callers, boolean manyBefore) throws Exception {
        try (Hotplug hotplug = servingSlow(Duration.ofMillis(300))) {
            Counter counter = hotplug.service(Counter.class);
            long residues = 0;
            while (manyBefore && residues != -1L) {
                Thread earlier = new Thread(counter::version, "earlier-caller");
                earlier.start();
                earlier.join();
                residues |= 1L << earlier.getId();
            }
            CompletableFuture<Long> inFlight = CompletableFuture.supplyAsync(counter::increment, callers);
            assertTrue(Blocker.awaitEntered(10), "the call is in flight");

            hotplug.deploy(slow("2.0.0"));

            HistoryEntry refused = last(hotplug.history("slow"));
            assertEquals(Outcome.REFUSED, refused.outcome(), "the reload did not unload under the call");
            assertTrue(refused.cause().contains("did not drain within 300 ms"), refused.cause());
            assertEquals("1.0.0", counter.version(), "the old version serves on");
            Blocker.release();
            assertEquals(1L, inFlight.get(10, TimeUnit.SECONDS), "the call in flight finished on the old version");

            Blocker.arm();
            Blocker.release();
            hotplug.deploy(slow("2.0.0"));
            assertEquals(Outcome.SWAPPED, last(hotplug.history("slow")).outcome(), "no call in flight now");
            assertEquals("2.0.0", counter.version());
        }
    }

    @Test
    void aCallInFlightThatCallsTheClosedSlotAgainStillHoldsTheReload() throws Exception {
        try (Hotplug hotplug = servingSlow(Duration.ofMillis(300))) {
            Counter counter = hotplug.service(Counter.class);
            // Inside the old increment, once released: a call through the proxy, which the reload has closed.
            Blocker.afterRelease(counter::version);
            CompletableFuture<Long> inFlight = CompletableFuture.supplyAsync(counter::increment);
            assertTrue(Blocker.awaitEntered(10), "the call is in flight");
            FutureTask<ModuleInfo> reload = new FutureTask<>(() -> hotplug.deploy(slow("2.0.0")));
            Thread reloading = new Thread(reload, "reloading");
            reloading.start();
            Await.until("the reload to drain", () -> Await.inside(reloading, CallDrain.class.getName(), "drain"));

            Blocker.release();

            reload.get(10, TimeUnit.SECONDS);
            HistoryEntry refused = last(hotplug.history("slow"));
            assertEquals(Outcome.REFUSED, refused.outcome(),
                    "the call waiting in the closed slot is still inside the old increment");
            assertEquals(1L, inFlight.get(10, TimeUnit.SECONDS), "the call finished on the old version");
            assertEquals("1.0.0", counter.version());
        }
    }

    @Test
    void aThreadThatCallsWithoutMarkingBecauseItsIdSharesAnotherCallersResidueStillHoldsTheReload() throws Exception {
        try (Hotplug hotplug = servingSlow(Duration.ofMillis(300))) {
            Counter counter = hotplug.service(Counter.class);
            long lastCaller = 0;
            for (int i = 0; i < 2; i++) {
                Thread earlier = new Thread(counter::version, "earlier-caller-" + i);
                earlier.start();
                earlier.join();
                lastCaller = earlier.getId();
            }
            // Two callers turn the slot's mark into a set of id residues; this thread's is in it, so it calls on the
            // fast path and never marks.
            FutureTask<Long> increment = new FutureTask<>(counter::increment);
            Thread sharing;
            do {
                sharing = new Thread(increment, "sharing-a-residue");
            } while ((sharing.getId() & 63) != (lastCaller & 63));
            sharing.start();

            reloadIsHeldBy(increment, hotplug, counter);
        }
    }

    @Test
    void aThreadAnEarlierDrainFoundIdleThatCallsSinceStillHoldsTheReload() throws Exception {
        try (Hotplug hotplug = servingSlow(Duration.ofMillis(300))) {
            Counter counter = hotplug.service(Counter.class);
            CountDownLatch goOn = new CountDownLatch(1);
            FutureTask<Long> later = new FutureTask<>(() -> {
                counter.version();
                goOn.await();
                return counter.increment();
            });
            Thread caller = new Thread(later, "calls-idles-calls");
            caller.start();
            Await.until("the caller to idle", () -> caller.getState() == Thread.State.WAITING);
            hotplug.deploy(slow("2.0.0"));
            assertEquals(Outcome.SWAPPED, last(hotplug.history("slow")).outcome(), "the idle caller holds nothing");

            goOn.countDown();
            assertTrue(Blocker.awaitEntered(10), "the call is in flight");
            hotplug.deploy(slow("3.0.0"));

            assertEquals(Outcome.REFUSED, last(hotplug.history("slow")).outcome(),
                    "the caller has run since the drain that found it idle");
            Blocker.release();
            assertEquals(1L, later.get(10, TimeUnit.SECONDS));
            assertEquals("2.0.0", counter.version());
        }
    }

    @Test
    void aListenerCallInFlightOnTheEventThreadHoldsTheReload() throws Exception {
        try (Hotplug hotplug = servingSlow(Duration.ofMillis(300))) {
            Counter counter = hotplug.service(Counter.class);
            CompletableFuture<Long> inFlight = new CompletableFuture<>();
            AtomicBoolean armed = new AtomicBoolean(true);
            // The event thread has delivered the deploy's events already, and rested between them.
            hotplug.addListener(event -> {
                if (armed.getAndSet(false)) {
                    inFlight.complete(counter.increment());
                }
            });
            hotplug.deploy(TestModules.write(TestModules.module("other", "1.0.0", "com.acme.other.Other", OTHER),
                    "other.jar", "other|" + OTHER, dir.resolve("in")));

            reloadIsHeldBy(inFlight, hotplug, counter);
        }
    }

    @Test
    void aCallInFlightOnALifecycleWorkerGivenUpOnHoldsTheReload() throws Exception {
        try (Hotplug hotplug = servingSlow(Duration.ofMillis(300))) {
            Counter counter = hotplug.service(Counter.class);
            Blocker.holdThroughInterrupts();
            // The worker has run slow's @Load and rested; now @Load of another module calls slow and is held there,
            // past the interrupt that gives the worker up.
            hotplug.deploy(TestModules.write(TestModules.module("caller", "1.0.0", "com.acme.caller.Caller", CALLER),
                    "caller.jar", "caller|" + CALLER, dir.resolve("in")));
            assertEquals(ModuleStatus.FAILED, hotplug.module("caller").orElseThrow().status(),
                    "its @Load ran past its limit");

            reloadIsHeldBy(null, hotplug, counter);
        }
    }

    /**
     * With a call into slow 1.0.0 held (or about to be), checks that a reload to 2.0.0 is refused, then lets the call
     * finish on 1.0.0; {@code inFlight} is its result, {@code null} when nothing can read it.
     */
    private void reloadIsHeldBy(Future<Long> inFlight, Hotplug hotplug, Counter counter) throws Exception {
        assertTrue(Blocker.awaitEntered(10), "the call is in flight");

        hotplug.deploy(slow("2.0.0"));

        assertEquals(Outcome.REFUSED, last(hotplug.history("slow")).outcome(), "the reload did not unload under it");
        Blocker.release();
        if (inFlight != null) {
            assertEquals(1L, inFlight.get(10, TimeUnit.SECONDS), "the call finished on the old version");
        }
        assertEquals("1.0.0", counter.version());
    }


    @Test
    void aCallWaitingInTheClosedSlotDoesNotHoldTheDrainAndGoesOnToTheNewVersion() throws Exception {
        waitingCallDoesNotHoldTheDrain(task -> {
            Thread thread = new Thread(task, "caller");
            thread.start();
            return thread;
        });
    }

    @Test
    void aVirtualThreadWaitingInTheClosedSlotDoesNotHoldTheDrain() throws Exception {
        ExecutorService virtualThreads = virtualThreads();
        try {
            waitingCallDoesNotHoldTheDrain(task -> {
                AtomicReference<Thread> thread = new AtomicReference<>();
                virtualThreads.execute(() -> {
                    thread.set(Thread.currentThread());
                    task.run();
                });
                Await.until("the virtual thread to start", () -> thread.get() != null);
                return thread.get();
            });
        } finally {
            virtualThreads.shutdown();
        }
    }

    private void waitingCallDoesNotHoldTheDrain(Function<Runnable, Thread> start) throws Exception {
        try (Hotplug hotplug = servingSlow(Duration.ofSeconds(2))) {
            Counter counter = hotplug.service(Counter.class);
            CompletableFuture<Long> inFlight = CompletableFuture.supplyAsync(counter::increment);
            assertTrue(Blocker.awaitEntered(10), "the call is in flight");
            FutureTask<ModuleInfo> reload = new FutureTask<>(() -> hotplug.deploy(slow("2.0.0")));
            Thread reloading = new Thread(reload, "reloading");
            reloading.start();
            Await.until("the reload to drain",
                    () -> Await.inside(reloading, CallDrain.class.getName(), "inFlight")
                            || Await.inside(reloading, LockSupport.class.getName(), "parkNanos"));
            FutureTask<String> waiting = new FutureTask<>(counter::version);
            Thread caller = start.apply(waiting);
            Await.until("the new call to wait in the closed slot",
                    () -> Await.inside(caller, ServiceSlot.class.getName(), "await"));

            Blocker.release();

            reload.get(10, TimeUnit.SECONDS);
            assertEquals(Outcome.SWAPPED, last(hotplug.history("slow")).outcome(),
                    "the drain waited for the call in flight only");
            assertEquals(1L, inFlight.get(10, TimeUnit.SECONDS));
            assertEquals("2.0.0", waiting.get(10, TimeUnit.SECONDS), "the waiting call went on to the new version");
        }
    }

    /** A virtual-thread-per-task executor (JDK 21 and later); the test is skipped, not passed, on older JDKs. */
    private static ExecutorService virtualThreads() throws ReflectiveOperationException {
        boolean available = Runtime.version().feature() >= 21;
        assumeTrue(available, "virtual threads need JDK 21 or later");
        return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor")
                .invoke(null);
    }
}
