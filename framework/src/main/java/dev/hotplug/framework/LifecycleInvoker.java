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
        Call<T> call = new Call<>(code, loader);
        Worker worker = idle.getAndSet(null);
        if (worker == null) {
            worker = new Worker();
            worker.start();
        }
        try {
            worker.inbox.put(call);
            if (!call.done.await(limitMillis, TimeUnit.MILLISECONDS)) {
                call.abandoned = true;
                worker.interrupt();
                throw new Failure("Cannot run " + what + ": it did not return within " + limitMillis + " ms",
                        new TimeoutException(what), true);
            }
        } catch (InterruptedException e) {
            call.abandoned = true;
            worker.interrupt();
            Thread.currentThread().interrupt();
            throw new Failure("Cannot run " + what + ": interrupted while waiting for it", e, false);
        }
        if (call.failure != null) {
            Throwable cause = call.failure;
            if (cause instanceof InvocationTargetException target && target.getCause() != null) {
                cause = target.getCause();
            }
            throw new Failure("Cannot run " + what + ": " + describe(cause), cause, false);
        }
        return call.result;
    }

    /** One call of module code, handed to a worker. */
    private static final class Call<T> {
        final Callable<T> code;
        final ClassLoader loader;
        final CountDownLatch done = new CountDownLatch(1);
        volatile boolean abandoned;
        T result;
        Throwable failure;

        Call(Callable<T> code, ClassLoader loader) {
            this.code = code;
            this.loader = loader;
        }

        /** Runs the code; returns whether the thread may be reused. */
        boolean execute() {
            Thread current = Thread.currentThread();
            ClassLoader previous = current.getContextClassLoader();
            current.setContextClassLoader(loader);
            ServiceSlot.LIFECYCLE_CALL.set(Boolean.TRUE);
            try {
                result = code.call();
            } catch (Exception | Error e) {
                failure = e;
            } finally {
                ServiceSlot.LIFECYCLE_CALL.remove();
                current.setContextClassLoader(previous);
                done.countDown();
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
                    boolean reusable = call.execute();
                    call = null;
                    if (!reusable || closed || !idle.compareAndSet(null, this)) {
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
