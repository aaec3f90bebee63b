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
 * @param pauseMicros how long calls into the module were held (µs): from just before its services closed until the last
 *                    of them opened again on the version that then served; 0 when it never quiesced (a first start, or
 *                    refused at staging)
 * @param cause why it did not swap, one line; {@code null} when it swapped
 * @param at when the attempt ended
 */
public record HistoryEntry(String module, String from, String to, Outcome outcome, long millis, long pauseMicros, String cause,
                           Instant at) {
}
