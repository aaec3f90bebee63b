package dev.hotplug.framework;

/**
 * Something that happened to a module, delivered to {@link HotplugListener}s in order on the framework's event thread.
 *
 * @param module the module name
 * @param phase the transaction step that ended
 * @param fromVersion the version serving before, {@code null} when none
 * @param toVersion the version concerned by the step, {@code null} when none
 * @param generation the generation concerned, 0 when none
 * @param failure the step's failure, one line; {@code null} when it succeeded
 * @param outcome set on the last event of an attempt, {@code null} on intermediate steps
 */
public record HotplugEvent(String module, Phase phase, String fromVersion, String toVersion, long generation,
                           String failure, Outcome outcome) {
}
