package dev.hotplug.framework;

/** The four lifecycle methods a module's lifecycle class may declare, one per annotation of {@code dev.hotplug.api}. */
public enum LifecyclePhase {
    /** {@code @Startup}: once per module name per process, before its first load. */
    STARTUP,
    /** {@code @Load}: on every version load. */
    LOAD,
    /** {@code @Unload}: on every version unload; may return the state. */
    UNLOAD,
    /** {@code @Shutdown}: once, when the module leaves the process. */
    SHUTDOWN
}
