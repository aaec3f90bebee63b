package dev.hotplug.framework;

import java.time.Instant;

/**
 * One reload attempt of a module.
 *
 * @param module the module name
 * @param from the version that served before, {@code null} on a first start
 * @param to the version that was tried
 * @param outcome how it ended
 * @param millis how long the attempt took, staging included
 * @param cause why it did not swap, one line; {@code null} when it swapped
 * @param at when the attempt ended
 */
public record HistoryEntry(String module, String from, String to, Outcome outcome, long millis, String cause, Instant at) {
}
