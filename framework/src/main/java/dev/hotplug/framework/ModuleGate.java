package dev.hotplug.framework;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Quiescence for one module: service calls {@link #enter} and {@link #exit} around each call; a reload
 * {@link #close}s the gate so new calls wait, {@link #awaitDrained awaits} the calls in flight, and
 * {@link #open}s it again on the new (or rolled-back) generation. Thread-safe.
 */
final class ModuleGate {

    // Striped counter: no shared cache line on the fast path once contention has spread the cells.
    private final LongAdder inFlight = new LongAdder();
    private final Object monitor = new Object();
    private volatile boolean closed;

    /**
     * Counts the calling thread in, waiting up to {@code waitNanos} while the gate is closed.
     *
     * @return {@code false} when the gate stayed closed for the whole wait
     */
    boolean enter(long waitNanos) throws InterruptedException {
        inFlight.increment();
        if (!closed) {
            return true;
        }
        exit();
        long deadline = System.nanoTime() + waitNanos;
        synchronized (monitor) {
            for (;;) {
                if (!closed) {
                    inFlight.increment();
                    if (!closed) {
                        return true;
                    }
                    inFlight.decrement();
                    monitor.notifyAll();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
            }
        }
    }

    /** Counts the calling thread out; wakes a reload waiting for calls to drain. */
    void exit() {
        inFlight.decrement();
        if (closed) {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
    }

    /** Makes new calls wait. */
    void close() {
        closed = true;
    }

    /** Whether new calls wait. */
    boolean isClosed() {
        return closed;
    }

    /**
     * Blocks until no call is in flight, up to {@code waitNanos}.
     *
     * @return {@code false} when calls were still in flight at the deadline
     */
    boolean awaitDrained(long waitNanos) throws InterruptedException {
        long deadline = System.nanoTime() + waitNanos;
        synchronized (monitor) {
            while (inFlight.sum() != 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, Math.min(left, TimeUnit.MILLISECONDS.toNanos(1)));
            }
            return true;
        }
    }

    /** Lets waiting and new calls through. */
    void open() {
        synchronized (monitor) {
            closed = false;
            monitor.notifyAll();
        }
    }
}
