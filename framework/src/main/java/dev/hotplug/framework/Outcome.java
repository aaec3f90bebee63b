package dev.hotplug.framework;

/** How one reload attempt ended, as recorded in a module's history. */
public enum Outcome {
    /** The new version serves. */
    SWAPPED,
    /** The new version failed; the previous version serves again with its state. */
    ROLLED_BACK,
    /** The new version failed and so did the rollback: the module is {@link ModuleStatus#FAILED}, its state on disk. */
    FAILED,
    /** The new version was refused before any of its code ran; the running version was not touched. */
    REFUSED
}
