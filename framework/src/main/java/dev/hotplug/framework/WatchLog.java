package dev.hotplug.framework;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The folder watcher's decision log: every decision is one line, "Watch: VERB FILE: REASON", written to the
 * {@link FolderWatcher} logger and handed to observers (tests, a console). Thread-safe.
 */
final class WatchLog {

    private static final Logger LOG = LoggerFactory.getLogger(FolderWatcher.class);

    private final List<Consumer<String>> observers = new CopyOnWriteArrayList<>();

    /** Adds an observer; it runs on the watcher thread and must not block. */
    void observe(Consumer<String> observer) {
        observers.add(observer);
    }

    /** Logs one decision at {@code level}; {@code format} uses SLF4J's {@code {}} placeholders. */
    void say(Level level, String format, Object... args) {
        String line = "Watch: " + MessageFormatter.basicArrayFormat(format, args);
        LOG.atLevel(level).log(line);
        for (Consumer<String> observer : observers) {
            observer.accept(line);
        }
    }
}
