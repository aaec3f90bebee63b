package dev.hotplug.framework;

import dev.hotplug.state.StateException;
import dev.hotplug.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the jar of the last version that ran beside each module's state, on a background thread in submission order,
 * so a reload returns without waiting for that copy's two fsyncs. A crash before the copy lands leaves the previous
 * last-good jar, which ran too. Thread-safe; {@link #close()} waits for what is queued.
 */
final class LastGoodKeeper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LastGoodKeeper.class);

    private final StateStore store;
    private final ExecutorService io = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "hotplug-last-good");
        thread.setDaemon(true);
        return thread;
    });

    LastGoodKeeper(StateStore store) {
        this.store = store;
    }

    /** Queues a durable copy of {@code jar} as module {@code module}'s last-good jar; returns at once. */
    void keep(String module, Path jar) {
        io.execute(() -> {
            try {
                store.keepLastGood(module, jar);
            } catch (StateException e) {
                LOG.warn("Module {}: {}", module, e.getMessage());
            }
        });
    }

    /** Writes what is queued (waiting up to 10 s), then stops. */
    @Override
    public void close() {
        io.shutdown();
        try {
            if (!io.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("Last-good jars still being written after 10 s; the previous ones stay");
                io.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            io.shutdownNow();
        }
    }
}
