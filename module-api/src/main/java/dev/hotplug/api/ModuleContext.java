package dev.hotplug.api;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * A module generation's view of the framework, handed to lifecycle methods that declare it.
 * Implementations are thread-safe. One context per generation; {@link #resources()} is shared by all
 * generations of one module name.
 */
public interface ModuleContext {

    /** The module's name, from {@code Hotplug-Module}. */
    String name();

    /** The version of this generation, from {@code Hotplug-Version}. */
    String version();

    /** The generation number: 1 for the first version loaded in this process, one more for each load after. */
    long generation();

    /** A logger named after the module, bridged to the host's logging. */
    System.Logger logger();

    /** A folder owned by this module name, kept across reloads and restarts; created on first use. */
    Path dataDirectory();

    /**
     * Publishes {@code implementation} as this generation's provider of {@code type}. Consumers holding a
     * proxy from {@link #service(Class)} reach it from now on. The registration ends when this generation unloads.
     *
     * @throws ModuleException when {@code type} is not an interface or another module already provides it
     */
    <T> void register(Class<T> type, T implementation);

    /**
     * Returns a stable proxy for {@code type} that always reaches the current provider and survives its
     * reloads. Never {@code null}; a call made while no provider is there waits a bounded time, then throws
     * {@link ServiceUnavailableException}.
     */
    <T> T service(Class<T> type);

    /**
     * Long-lived resources kept across reloads of this module name (what {@link Startup} prepares), cleared
     * after {@link Shutdown}. Values of the module's own classes keep the generation that made them alive:
     * prefer JDK or shared types.
     */
    ConcurrentMap<String, Object> resources();

    /**
     * An executor whose threads belong to this generation: they are interrupted and joined (bounded) when the
     * generation unloads. Tasks submitted after that are rejected.
     */
    ExecutorService executor();

    /** A thread factory whose threads belong to this generation, interrupted and joined (bounded) when it unloads. */
    ThreadFactory threadFactory();

    /**
     * This generation's own copy of native library {@code name}, found where {@code System.loadLibrary(name)} finds
     * it (the jar's {@code native/<os>-<arch>/} folder, then the watched folder), checked and copied with its sibling
     * libraries on first use; later calls return the same path. For the foreign function API (JDK 22+): pass it to
     * {@code SymbolLookup.libraryLookup} with an arena handed to {@link #closeOnRelease}. Blocks while copying; never
     * {@code null}.
     *
     * @throws ModuleException when neither place has the library, or it is for another platform or cannot be copied
     */
    Path nativeLibrary(String name);

    /**
     * Closes {@code resource} when this generation is released: after its last lifecycle method ({@link Unload}, then
     * {@link Shutdown} when the module leaves, or its failed {@link Load}), once its threads are stopped and its
     * services withdrawn, in the reverse order of registration, as module code under the lifecycle time limit. A
     * close that throws is logged and the others still close. Meant for an FFM {@code Arena} whose library lookups
     * must go with the generation; a resource of the module's own classes is fine, it goes with the generation too.
     * Thread-safe.
     *
     * @throws ModuleException when the generation is released already (the resource is closed at once)
     */
    void closeOnRelease(AutoCloseable resource);
}
