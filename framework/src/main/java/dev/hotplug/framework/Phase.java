package dev.hotplug.framework;

/** The steps of SPEC's reload transaction, as reported to listeners. */
public enum Phase {
    /** Copying the new jar, reading and checking it, preparing its classloader. */
    STAGE,
    /** Holding new calls and draining calls in flight. */
    QUIESCE,
    /** The old version's {@code @Unload} and the durable state write. */
    UNLOAD,
    /** The new version's {@code @Startup} (first time only) and {@code @Load}. */
    LOAD,
    /** Bringing the old version back after the new one failed. */
    ROLLBACK,
    /** The module left the process: {@code @Shutdown} ran. */
    SHUTDOWN
}
