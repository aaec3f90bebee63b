package dev.hotplug.framework;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a reload learns from a slot's caller mark: a slot only the reloading thread called may skip the stack scan;
 * any call from another thread since the last drain, including one that waited through a reload, forces it. And where
 * a reload's pause window ends.
 */
class ServiceSlotTest {

    private static ServiceSlot provided(Object implementation) {
        ServiceSlot slot = new ServiceSlot("com.acme.Api", TimeUnit.SECONDS.toNanos(10), new CallDrain());
        slot.register(new ServiceSlot.Registration(implementation, "acme", 1), false);
        return slot;
    }

    private static Object callOn(ExecutorService thread, ServiceSlot slot) throws Exception {
        return thread.submit(slot::get).get(10, TimeUnit.SECONDS);
    }

    /** Closes {@code slot} and runs {@code call} on another thread; returns once that thread waits in the slot. */
    private static <T> CompletableFuture<T> waitingIn(ServiceSlot slot, Supplier<T> call) {
        slot.close();
        Thread[] caller = new Thread[1];
        CompletableFuture<T> result = CompletableFuture.supplyAsync(() -> {
            caller[0] = Thread.currentThread();
            return call.get();
        });
        Await.until("the call to wait in its slot",
                () -> caller[0] != null && Await.inside(caller[0], ServiceSlot.class.getName(), "await"));
        return result;
    }

    /** A test body given two threads other than the test's own. */
    private interface TwoThreads {
        void run(ExecutorService other, ExecutorService third) throws Exception;
    }

    private static void withTwoThreads(TwoThreads body) throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        ExecutorService third = Executors.newSingleThreadExecutor();
        try {
            body.run(other, third);
        } finally {
            other.shutdownNow();
            third.shutdownNow();
        }
    }

    @Test
    void aSlotCalledOnlyByTheReloadingThreadNeedsNoScan() {
        Object implementation = new Object();
        ServiceSlot slot = provided(implementation);
        assertSame(implementation, slot.get());
        assertSame(implementation, slot.get());
        slot.close();
        assertFalse(slot.calledByOthers(Thread.currentThread()));
    }

    @Test
    void aCallFromAnotherThreadForcesTheScanUntilTheCallersAreForgotten() throws Exception {
        ServiceSlot slot = provided(new Object());
        withTwoThreads((other, third) -> {
            callOn(other, slot);
            slot.get();
            callOn(third, slot);
            slot.close();
            assertTrue(slot.calledByOthers(Thread.currentThread()), "two other threads called");
            slot.forgetCallers();
            slot.open();
            slot.get();
            slot.close();
            assertFalse(slot.calledByOthers(Thread.currentThread()), "only this thread called since");
            slot.open();
            callOn(other, slot);
            slot.close();
            assertTrue(slot.calledByOthers(Thread.currentThread()), "the other thread called again");
        });
    }

    @Test
    void theMarkNamesOneCallerExactlyAndSeveralByTheirIdResidues() throws Exception {
        ServiceSlot slot = provided(new Object());
        withTwoThreads((other, third) -> {
            long first = other.submit(() -> Thread.currentThread().getId()).get(10, TimeUnit.SECONDS);
            long second = third.submit(() -> Thread.currentThread().getId()).get(10, TimeUnit.SECONDS);
            callOn(other, slot);
            assertTrue(slot.mayHaveCalled(first));
            assertFalse(slot.mayHaveCalled(first + 64), "one caller is named by its id");
            callOn(third, slot);
            assertTrue(slot.mayHaveCalled(first));
            assertTrue(slot.mayHaveCalled(second));
            assertTrue(slot.mayHaveCalled(first + 64), "a thread sharing a caller's residue may call unmarked");
            long untouched = first;
            while ((untouched & 63) == (first & 63) || (untouched & 63) == (second & 63) || (untouched & 63) == 63) {
                untouched++;
            }
            assertFalse(slot.mayHaveCalled(untouched), "a residue no caller has");
            slot.close();
            slot.forgetCallers();
            assertFalse(slot.mayHaveCalled(first), "forgotten at the drain");
        });
    }

    @Test
    void aCallThatWaitedThroughAReloadCountsOnTheNext() throws Exception {
        Object implementation = new Object();
        ServiceSlot slot = provided(implementation);
        CompletableFuture<Object> waited = waitingIn(slot, slot::get);
        // The drain of the reload forgets the mark the caller left on its way in; it must mark again on its way out.
        slot.forgetCallers();
        slot.open();
        assertSame(implementation, waited.get(10, TimeUnit.SECONDS));
        slot.close();
        assertTrue(slot.calledByOthers(Thread.currentThread()));
    }

    @Test
    void openStampsTheInstantTheTargetIsPublishedBeforeAWaiterCanRun() throws Exception {
        Object implementation = new Object();
        ServiceSlot slot = provided(implementation);
        CompletableFuture<Long> returnedAt = waitingIn(slot, () -> {
            assertSame(implementation, slot.get());
            return System.nanoTime();
        });
        long before = System.nanoTime();
        long opened = slot.open();
        // The reload's pause window ends at this stamp: no later than the waiter's return, whenever the opening
        // thread gets its CPU back.
        assertTrue(before <= opened, "stamped during the open");
        assertTrue(opened <= returnedAt.get(10, TimeUnit.SECONDS), "stamped before the waiting caller went on");
    }

    @Test
    void aLifecycleCallThroughAClosedSlotCounts() throws Exception {
        Object implementation = new Object();
        ServiceSlot slot = provided(implementation);
        slot.close();
        ExecutorService worker = Executors.newSingleThreadExecutor();
        try {
            Object reached = worker.submit(() -> {
                ServiceSlot.LIFECYCLE_CALL.set(Boolean.TRUE);
                try {
                    return slot.get();
                } finally {
                    ServiceSlot.LIFECYCLE_CALL.remove();
                }
            }).get(10, TimeUnit.SECONDS);
            assertSame(implementation, reached);
            assertTrue(slot.calledByOthers(Thread.currentThread()));
        } finally {
            worker.shutdownNow();
        }
    }
}
