package dev.hotplug.framework;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads one module generation starts through its context: a factory and a lazily created executor. At
 * unload they are interrupted and joined up to a deadline; what is still alive is returned for the leak report.
 * Thread-safe.
 */
final class GenerationThreads implements ThreadFactory {

    private final String prefix;
    private final ClassLoader loader;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger count = new AtomicInteger();
    private volatile ExecutorService executor;
    private volatile boolean stopped;

    GenerationThreads(String module, long generation, ClassLoader loader) {
        this.prefix = module + "#" + generation + "-";
        this.loader = loader;
    }

    @Override
    public Thread newThread(Runnable task) {
        if (stopped) {
            throw new IllegalStateException("Cannot start a thread for " + prefix.substring(0, prefix.length() - 1)
                    + ": the generation is unloaded");
        }
        Thread thread = new Thread(() -> {
            try {
                task.run();
            } finally {
                threads.remove(Thread.currentThread());
            }
        }, prefix + count.incrementAndGet());
        thread.setDaemon(true);
        thread.setContextClassLoader(loader);
        threads.add(thread);
        return thread;
    }

    /** The generation's executor, made on first use. */
    ExecutorService executor() {
        ExecutorService current = executor;
        if (current == null) {
            synchronized (this) {
                current = executor;
                if (current == null) {
                    ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Math.max(2, Runtime.getRuntime().availableProcessors()),
                            30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), this);
                    pool.allowCoreThreadTimeOut(true);
                    executor = current = pool;
                }
            }
        }
        return current;
    }

    /** Whether {@link #stop} ran already. */
    boolean stopped() {
        return stopped;
    }

    /**
     * Stops every thread: shuts the executor down, interrupts, joins until {@code deadlineNanos} (a
     * {@link System#nanoTime()} value). Returns the names of threads still alive.
     */
    List<String> stop(long deadlineNanos) throws InterruptedException {
        if (stopped) {
            // Stopped once already (at unload): report what is left without paying the join again.
            List<String> alive = new ArrayList<>();
            threads.forEach(t -> alive.add(t.getName()));
            return alive;
        }
        stopped = true;
        ExecutorService current = executor;
        if (current != null) {
            current.shutdownNow();
        }
        List<String> alive = new ArrayList<>();
        for (Thread thread : List.copyOf(threads)) {
            thread.interrupt();
        }
        for (Thread thread : List.copyOf(threads)) {
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(thread, left);
            }
            if (thread.isAlive()) {
                alive.add(thread.getName());
            }
        }
        executor = null;
        return alive;
    }
}
