package dev.hotplug.framework;

/**
 * A module as JMX shows it, registered as {@code dev.hotplug:type=Module,name=NAME} while the module is in the process.
 * Attributes are read live from the framework; the bean holds no module classloader. Thread-safe; the operations
 * block like {@link Hotplug#reload(String)} and {@link Hotplug#rollback(String)}.
 */
public interface ModuleMXBean {

    /** {@code ACTIVE}, {@code RELOADING}, {@code FAILED}, or {@code REMOVED} once the module left. */
    String getStatus();

    /** The serving (or last tried) version; {@code null} once the module left. */
    String getVersion();

    /** The serving generation, 0 when none serves. */
    long getGeneration();

    /** How many reloads swapped since the first start, an importer's reloads with its provider included. */
    long getReloads();

    /** The last failure, one line; {@code null} when none. */
    String getLastError();

    /**
     * Reloads the module from its jar; returns the outcome ({@code SWAPPED}, or the outcome and its cause).
     *
     * @throws IllegalStateException when the module cannot be reloaded (its message says why)
     */
    String reload();

    /**
     * Goes back to the version that served before; returns the outcome as {@link #reload()} does.
     *
     * @throws IllegalStateException when there is no previous version (its message says why)
     */
    String rollback();
}
