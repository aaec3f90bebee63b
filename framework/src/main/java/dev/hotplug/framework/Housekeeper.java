package dev.hotplug.framework;

import dev.hotplug.state.StateException;
import dev.hotplug.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * File work a reload does not wait for, on one background thread in submission order: the durable last-good jar
 * (two fsyncs), and deleting what no generation loads again (retired jar copies, the folders of collected
 * generations). On this kind of disk every create, rename and delete costs 0.1–0.3 ms, so doing them here keeps
 * them out of the reload. A crash before a task runs leaves the previous last-good jar, which ran too, and files in
 * the process cache, which the next start sweeps. Thread-safe; {@link #close()} runs what is queued.
 */
final class Housekeeper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Housekeeper.class);

    private final StateStore store;
    /** The newest jar to keep per module; a burst of reloads copies only the last one. */
    private final Map<String, Kept> lastGood = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor io;

    Housekeeper(StateStore store, CallDrain drain) {
        this.store = store;
        this.io = new FrameworkExecutor("hotplug-housekeeper", drain);
        // close() copies what waits at once instead.
        io.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Queues a durable copy of {@code jar} as module {@code module}'s last-good jar, with the name of {@code source},
     * the file it was deployed from ({@code null}: none), to run after {@code delayMillis}; returns at once. While one waits for a module, a newer jar replaces it: at most one copy per delay, of the
     * newest, and a copy whose deletion is queued later is still there when it runs.
     */
    void keepLastGood(String module, Path jar, Path source, long delayMillis) {
        if (lastGood.put(module, new Kept(jar, source == null ? null : source.getFileName().toString())) != null) {
            return;
        }
        io.schedule(() -> copyLastGood(module), delayMillis, TimeUnit.MILLISECONDS);
    }

    /** A jar copy to keep as a module's last good one, and the name of the file it was deployed from. */
    private record Kept(Path jar, String sourceName) {
    }

    private void copyLastGood(String module) {
        Kept newest = lastGood.remove(module);
        if (newest == null) {
            return;
        }
        try {
            store.keepLastGood(module, newest.jar(), newest.sourceName());
        } catch (StateException e) {
            LOG.warn("Module {}: {}", module, e.getMessage());
        }
    }

    /** Queues the deletion of a versioned jar copy no generation loads again; returns at once. */
    void discardCopy(Path copy) {
        execute(() -> GenerationStager.discardCopy(copy));
    }

    /**
     * Queues {@code task} (file clean-up that must not fail the caller; it logs its own failures). Once closed, runs
     * it on the calling thread: a loader found collected by a {@code leaks()} after {@code close()} still has its
     * folder deleted.
     */
    void execute(Runnable task) {
        try {
            io.execute(task);
        } catch (RejectedExecutionException closed) {
            task.run();
        }
    }

    /** Blocks until every task queued before this call ran, up to {@code millis}; returns whether they all did. */
    boolean flush(long millis) {
        Future<?> marker;
        try {
            marker = io.submit(() -> { });
        } catch (RejectedExecutionException e) {
            return io.isTerminated();
        }
        try {
            marker.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** Runs what is queued, last-good copies still waiting for their delay included (up to 10 s), then stops. */
    @Override
    public void close() {
        try {
            io.execute(() -> List.copyOf(lastGood.keySet()).forEach(this::copyLastGood));
        } catch (RejectedExecutionException e) {
            return;
        }
        io.shutdown();
        try {
            if (!io.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("Housekeeping still running after 10 s: the last-good jar may be the one before; "
                        + "files left in the process cache go with it");
                io.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            io.shutdownNow();
        }
    }
}
