package dev.hotplug.framework;

/** A module's status as users see it in {@code list} and {@link ModuleInfo}. */
public enum ModuleStatus {
    /** A generation is serving. */
    ACTIVE,
    /** A reload transaction (or the first start) is running; calls into its services wait. */
    RELOADING,
    /** No generation serves: the last start or rollback failed; {@link ModuleInfo#lastError()} says why. */
    FAILED
}
