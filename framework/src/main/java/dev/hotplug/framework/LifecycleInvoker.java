package dev.hotplug.framework;

import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

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
     * One thread per call, never kept idle: an idle pooled thread that ran module code that threw was seen to keep
     * that generation's classloader reachable through a JVM-internal reference (no path from any heap-dump GC root)
     * until the thread ended, so a failed generation stayed alive after its release.
     */
    private final ExecutorService pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 0, TimeUnit.MILLISECONDS,
            new SynchronousQueue<>(), task -> {
                Thread thread = new Thread(task, "hotplug-lifecycle-" + threadCount.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });

    /**
     * Runs {@code code} with {@code loader} as context classloader, blocking up to {@code limitMillis}.
     *
     * @param what names the call in messages, for example "@Load of counter 2.0.0"
     * @throws Failure when the code throws (the cause is the module's own exception) or runs past the limit
     */
    <T> T run(String what, ClassLoader loader, long limitMillis, Callable<T> code) throws Failure {
        Future<T> future = pool.submit(() -> {
            Thread current = Thread.currentThread();
            ClassLoader previous = current.getContextClassLoader();
            current.setContextClassLoader(loader);
            ServiceSlot.LIFECYCLE_CALL.set(Boolean.TRUE);
            try {
                return code.call();
            } finally {
                ServiceSlot.LIFECYCLE_CALL.remove();
                current.setContextClassLoader(previous);
            }
        });
        try {
            return future.get(limitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new Failure("Cannot run " + what + ": it did not return within " + limitMillis + " ms", e, true);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new Failure("Cannot run " + what + ": interrupted while waiting for it", e, false);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InvocationTargetException target && target.getCause() != null) {
                cause = target.getCause();
            }
            throw new Failure("Cannot run " + what + ": " + describe(cause), cause, false);
        }
    }

    /** One line for a throwable: its type and message. */
    static String describe(Throwable failure) {
        String message = failure.getMessage();
        return failure.getClass().getName() + (message == null ? "" : ": " + message.lines().findFirst().orElse(""));
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
