package dev.hotplug.framework;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Delivers {@link HotplugEvent}s to listeners on one daemon thread, in publication order, so no listener ever runs
 * while the framework holds a lock. Thread-safe.
 */
final class EventDispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

    private final List<HotplugListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService thread;

    EventDispatcher(CallDrain drain) {
        thread = new FrameworkExecutor("hotplug-events", drain);
    }

    void add(HotplugListener listener) {
        listeners.add(listener);
    }

    void remove(HotplugListener listener) {
        listeners.remove(listener);
    }

    /** Queues {@code event} for every listener registered now; returns at once. */
    void publish(HotplugEvent event) {
        publishAll(List.of(event));
    }

    /**
     * Queues {@code batch}, in order, for every listener registered now; returns at once. One hand-off to the
     * listener thread for the whole batch: waking it costs more than a reload phase's bookkeeping.
     */
    void publishAll(List<HotplugEvent> batch) {
        if (listeners.isEmpty() || batch.isEmpty()) {
            return;
        }
        List<HotplugListener> targets = List.copyOf(listeners);
        List<HotplugEvent> events = List.copyOf(batch);
        thread.execute(() -> {
            for (HotplugEvent event : events) {
                for (HotplugListener listener : targets) {
                    try {
                        listener.onEvent(event);
                    } catch (RuntimeException e) {
                        LOG.warn("Listener {} failed on {}: {}", listener, event, LifecycleInvoker.describe(e));
                    }
                }
            }
        });
    }

    /** Delivers what is queued (waiting up to 5 s), then stops. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("Listeners did not finish within 5 s; dropping the events left");
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.shutdownNow();
        }
    }
}
