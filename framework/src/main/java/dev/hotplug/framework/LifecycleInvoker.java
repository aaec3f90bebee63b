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
 * classloader as context classloader for the call only; a call may also take framework steps between them (a
 * reload's state write), which have no limit. A call past its limit is interrupted and abandoned: its thread may stay
 * stuck in module code, which the leak report then names, and can commit nothing more. Thread-safe.
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

    /**
     * Moves a running call on through its steps: module code, each under its own name, limit and context classloader,
     * or framework work the caller waits for without a limit. Called only by the code the call runs.
     */
    interface Steps {
        /**
         * Runs {@code commit} (may be {@code null}), then from now on the call runs {@code what}, which must return
         * within {@code limitMillis} ({@link #NO_LIMIT}: framework work), with {@code loader} as context classloader
         * ({@code null}: the worker's own). The commit is atomic with the caller's timeout: it runs only while the
         * caller still waits, so what it publishes the caller sees, and a call given up on stops here.
         */
        void next(String what, long limitMillis, ClassLoader loader, Runnable commit);

        /** As {@link #next}, staying in the step it runs. */
        void commit(Runnable commit);
    }

    /** A step's limit for framework work: the caller waits until it returns, or until interrupted. */
    static final long NO_LIMIT = -1;
    /**
     * How often a waiting caller looks at the step its call is in. A step moving on would have to wake the caller to
     * bring its deadline nearer, a hand-off in the middle of a reload's pause; instead a step past its limit is noticed
     * up to this much late.
     */
    private static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final AtomicInteger threadCount = new AtomicInteger();
    /*
     * One parked worker is kept for the next call: starting a thread per call cost about as much as the rest of a
     * small module's @Load. A worker whose call threw, or ran past its limit, is never reused: an idle thread that had
     * run module code that threw was seen to keep that generation's classloader reachable (no path from any heap-dump
     * GC root) until the thread ended.
     */
    private final AtomicReference<Worker> idle = new AtomicReference<>();
    private volatile boolean closed;
    private final CallDrain drain;

    LifecycleInvoker(CallDrain drain) {
        this.drain = drain;
    }

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
     * (one thread hand-off instead of one per step); each step keeps its own name, limit and context classloader,
     * through {@link Steps}. A {@link Failure} the code throws reaches the caller as it is.
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
            // Steps move the deadline either way, without waking this thread: it looks again every CHECK_NANOS.
            while (!call.done.await(Math.min(call.deadline - System.nanoTime(), CHECK_NANOS), TimeUnit.NANOSECONDS)) {
                Failure late = call.abandonIfLate();
                if (late != null) {
                    // It may have parked itself as idle just before the limit, its call done but not yet signalled.
                    idle.compareAndSet(worker, null);
                    worker.interrupt();
                    throw late;
                }
            }
        } catch (InterruptedException e) {
            call.abandon();
            idle.compareAndSet(worker, null);
            worker.interrupt();
            Thread.currentThread().interrupt();
            throw new Failure("Cannot run " + call.step.what + ": interrupted while waiting for it", e, false);
        }
        if (call.failure instanceof Failure failure) {
            throw failure;
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
        /** Far enough ahead never to pass, near enough not to overflow when added to a nanoTime. */
        private static final long NO_DEADLINE_NANOS = Long.MAX_VALUE / 4;

        final Stepped<T> code;
        final ClassLoader loader;
        final CountDownLatch done = new CountDownLatch(1);
        /** Written under the call's lock, so a step the caller gave up on cannot commit. */
        volatile boolean abandoned;
        /**
         * Written under the call's lock, where the caller also decides it is late: the step it names in a timeout is
         * the one that ran past its limit.
         */
        volatile Step step;
        volatile long deadline;
        private ClassLoader workerLoader;
        T result;
        Throwable failure;

        Call(Stepped<T> code, ClassLoader loader, String what, long limitMillis) {
            this.code = code;
            this.loader = loader;
            moveTo(what, limitMillis);
        }

        private void moveTo(String what, long limitMillis) {
            deadline = System.nanoTime() + (limitMillis == NO_LIMIT ? NO_DEADLINE_NANOS
                    : TimeUnit.MILLISECONDS.toNanos(limitMillis));
            step = new Step(what, limitMillis);
        }

        @Override
        public synchronized void next(String what, long limitMillis, ClassLoader loader, Runnable commit) {
            commit(commit);
            moveTo(what, limitMillis);
            Thread.currentThread().setContextClassLoader(loader == null ? workerLoader : loader);
        }

        @Override
        public synchronized void commit(Runnable commit) {
            if (abandoned) {
                throw new Abandoned();
            }
            if (commit != null) {
                commit.run();
            }
        }

        /** The caller gives up on this call, whatever step it is in. */
        synchronized void abandon() {
            abandoned = true;
        }

        /** Gives up on the call when its step ran past its limit and it has not finished; returns the timeout then. */
        synchronized Failure abandonIfLate() {
            if (done.getCount() == 0 || System.nanoTime() - deadline < 0) {
                return null;
            }
            abandoned = true;
            Step late = step;
            return new Failure("Cannot run " + late.what + ": it did not return within " + late.limitMillis + " ms",
                    new TimeoutException(late.what), true);
        }

        /** Runs the code, without signalling {@link #done}; returns whether the thread may be reused. */
        boolean execute() {
            Thread current = Thread.currentThread();
            workerLoader = current.getContextClassLoader();
            current.setContextClassLoader(loader);
            ServiceSlot.LIFECYCLE_CALL.set(Boolean.TRUE);
            try {
                result = code.call(this);
            } catch (Exception | Error e) {
                failure = e;
            } finally {
                ServiceSlot.LIFECYCLE_CALL.remove();
                current.setContextClassLoader(workerLoader);
            }
            return failure == null && !abandoned && !Thread.interrupted();
        }
    }

    /** Thrown in a worker whose caller gave up on its call, to stop it at its next step. */
    private static final class Abandoned extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abandoned() {
            super("the caller gave up on this call", null, false, false);
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
                    drain.rest(this);
                    Call<?> call = inbox.poll(30, TimeUnit.SECONDS);
                    drain.leave(this);
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
            } finally {
                drain.leave(this);
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
