package dev.hotplug.api;

/** Why a {@link Load} method runs. */
public enum LoadReason {
    /** First load of the module in this process, with no saved state. */
    START,
    /** First load of the module in this process, with state read from the state folder. */
    RESTORE,
    /** A new version replaces the running one and receives its state. */
    RELOAD,
    /** The previous version comes back, with its state, after a new version failed to load. */
    ROLLBACK
}
