package dev.hotplug.console;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Appends one line per admin command that changes something to {@code <state>/audit.log}: ISO time, peer, command line
 * and outcome, tab-separated. Thread-safe; each append blocks for one small write.
 */
final class AuditLog {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

    private final Path file;

    AuditLog(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** Appends {@code command} run by {@code peer} with {@code outcome} ("ok" or the error). Never throws. */
    synchronized void record(String peer, String command, String outcome) {
        String line = Instant.now() + "\t" + oneLine(peer) + "\t" + oneLine(command) + "\t" + oneLine(outcome) + "\n";
        try {
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            // The command already ran: losing its audit line must be loud, but it cannot undo the change.
            LOG.error("Cannot append to audit log {}: {}; lost line: {}", file, e, line.strip());
        }
    }

    private static String oneLine(String text) {
        return text == null ? "-" : text.replaceAll("[\\t\\r\\n]+", " ");
    }
}
