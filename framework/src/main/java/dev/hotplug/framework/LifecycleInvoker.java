package dev.hotplug.framework;

import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs module code (constructors and lifecycle methods) on framework threads under a time limit, with the module's
 * classloader as context classloader for the call only. A call past its limit is interrupted and abandoned: its thread
 * may stay stuck in module code, which the leak report then names. Thread-safe.
 */
final class LifecycleInvoker implements AutoCloseable {

    /** Module code failed, or ran past its limit; the message is one line naming the module and the method. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean timedOut;

        Failure(String message, Throwable cause, boolean timedOut) {
            super(message, cause);
            this.timedOut = timedOut;
        }

        boolean timedOut() {
            return timedOut;
        }
    }

    /** Module code run by {@link #runSteps}, which may move on to further steps. */
    @FunctionalInterface
    interface Stepped<T> {
        T call(Steps steps) throws Exception;
    }

    /** Moves a running call on to its next step, with the step's own name and time limit. */
    interface Steps {
        /** From now on the call runs {@code what}, which must return within {@code limitMillis}. */
        void next(String what, long limitMillis);
    }

    private final AtomicInteger threadCount = new AtomicInteger();
    /*
     * One parked worker is kept for the next call: starting a thread per call cost about as much as the rest of a
     * small module's @Load. A worker whose call threw, or ran past its limit, is never reused: an idle thread that had
     * run module code that threw was seen to keep that generation's classloader reachable (no path from any heap-dump
     * GC root) until the thread ended.
     */
    private final AtomicReference<Worker> idle = new AtomicReference<>();
    private volatile boolean closed;

    /**
     * Runs {@code code} with {@code loader} as context classloader, blocking up to {@code limitMillis}.
     *
     * @param what names the call in messages, for example "@Load of counter 2.0.0"
     * @throws Failure when the code throws (the cause is the module's own exception) or runs past the limit
     */
    <T> T run(String what, ClassLoader loader, long limitMillis, Callable<T> code) throws Failure {
        return runSteps(what, loader, limitMillis, steps -> code.call());
    }

    /**
     * As {@link #run(String, ClassLoader, long, Callable)}, for code of several steps handed to the worker at once
     * (one thread hand-off instead of one per step); each step keeps its own name and limit, through {@link Steps}.
     */
    <T> T runSteps(String what, ClassLoader loader, long limitMillis, Stepped<T> code) throws Failure {
        Call<T> call = new Call<>(code, loader, what, limitMillis);
        Worker worker = idle.getAndSet(null);
        if (worker == null) {
            worker = new Worker();
            worker.start();
        }
        try {
            worker.inbox.put(call);
            // A step moving on pushes the deadline out: wake at the old one, then wait for the new one.
            while (!call.done.await(call.deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                Step step = call.step;
                if (System.nanoTime() - call.deadline >= 0) {
                    call.abandoned = true;
                    // It may have parked itself as idle just before the limit, its call done but not yet signalled.
                    idle.compareAndSet(worker, null);
                    worker.interrupt();
                    throw new Failure("Cannot run " + step.what + ": it did not return within " + step.limitMillis
                            + " ms", new TimeoutException(step.what), true);
                }
            }
        } catch (InterruptedException e) {
            call.abandoned = true;
            idle.compareAndSet(worker, null);
            worker.interrupt();
            Thread.currentThread().interrupt();
            throw new Failure("Cannot run " + call.step.what + ": interrupted while waiting for it", e, false);
        }
        if (call.failure != null) {
            Throwable cause = call.failure;
            if (cause instanceof InvocationTargetException target && target.getCause() != null) {
                cause = target.getCause();
            }
            throw new Failure("Cannot run " + call.step.what + ": " + describe(cause), cause, false);
        }
        return call.result;
    }

    /** The step a call runs now. */
    private record Step(String what, long limitMillis) {
    }

    /** One call of module code, handed to a worker. */
    private static final class Call<T> implements Steps {
        final Stepped<T> code;
        final ClassLoader loader;
        final CountDownLatch done = new CountDownLatch(1);
        volatile boolean abandoned;
        /**
         * Written after {@link #deadline} and read before it: a caller that still reads the old deadline read the old
         * step, so a timeout names the step that ran past its limit.
         */
        volatile Step step;
        volatile long deadline;
        T result;
        Throwable failure;

        Call(Stepped<T> code, ClassLoader loader, String what, long limitMillis) {
            this.code = code;
            this.loader = loader;
            next(what, limitMillis);
        }

        @Override
        public void next(String what, long limitMillis) {
            deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limitMillis);
            step = new Step(what, limitMillis);
        }

        /** Runs the code, without signalling {@link #done}; returns whether the thread may be reused. */
        boolean execute() {
            Thread current = Thread.currentThread();
            ClassLoader previous = current.getContextClassLoader();
            current.setContextClassLoader(loader);
            ServiceSlot.LIFECYCLE_CALL.set(Boolean.TRUE);
            try {
                result = code.call(this);
            } catch (Exception | Error e) {
                failure = e;
            } finally {
                ServiceSlot.LIFECYCLE_CALL.remove();
                current.setContextClassLoader(previous);
            }
            return failure == null && !abandoned && !Thread.interrupted();
        }
    }

    /** A daemon thread running calls one at a time; parked in {@link #idle} between them. */
    private final class Worker extends Thread {
        final SynchronousQueue<Call<?>> inbox = new SynchronousQueue<>();

        Worker() {
            super("hotplug-lifecycle-" + threadCount.incrementAndGet());
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (!closed) {
                    Call<?> call = inbox.poll(30, TimeUnit.SECONDS);
                    if (call == null) {
                        if (idle.compareAndSet(this, null)) {
                            return;
                        }
                        continue;
                    }
                    // Parked again before the caller wakes: a caller that came straight back found no idle worker
                    // and started a thread for every other call.
                    boolean parked = call.execute() && !closed && idle.compareAndSet(null, this);
                    call.done.countDown();
                    call = null;
                    if (!parked) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                // Interrupted while parked: the framework is closing, or a caller gave up on this worker.
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One line for a throwable: its type and message. */
    static String describe(Throwable failure) {
        String message = failure.getMessage();
        return failure.getClass().getName() + (message == null ? "" : ": " + message.lines().findFirst().orElse(""));
    }

    @Override
    public void close() {
        closed = true;
        Worker worker = idle.getAndSet(null);
        if (worker != null) {
            worker.interrupt();
        }
    }
}
