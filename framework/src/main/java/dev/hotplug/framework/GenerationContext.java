package dev.hotplug.framework;

import dev.hotplug.api.ModuleContext;
import dev.hotplug.api.ModuleException;
import dev.hotplug.nativelib.NativeLibraryException;
import dev.hotplug.nativelib.NativeNamespace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;

/** The {@link ModuleContext} of one generation. Thread-safe. */
final class GenerationContext implements ModuleContext {

    private final ModuleRecord record;
    private final String version;
    private final long generation;
    private final GenerationThreads threads;
    private final ServiceRegistry services;
    private final Path dataDirectory;
    private final NativeNamespace natives;
    private final System.Logger logger;
    /** What {@link #closeOnRelease} took, the last first; {@code null} once released. Guarded by {@code this}. */
    private Deque<AutoCloseable> closeOnRelease = new ArrayDeque<>();

    GenerationContext(ModuleRecord record, String version, long generation, GenerationThreads threads,
                      ServiceRegistry services, Path dataDirectory, NativeNamespace natives) {
        this.record = record;
        this.version = version;
        this.generation = generation;
        this.threads = threads;
        this.services = services;
        this.dataDirectory = dataDirectory;
        this.natives = natives;
        this.logger = new Slf4jSystemLogger(record.name());
    }

    @Override
    public String name() {
        return record.name();
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public long generation() {
        return generation;
    }

    @Override
    public System.Logger logger() {
        return logger;
    }

    @Override
    public Path dataDirectory() {
        try {
            return Files.createDirectories(dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create data folder " + dataDirectory + " of module " + name()
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public <T> void register(Class<T> type, T implementation) {
        services.register(record.name(), generation, type, implementation);
    }

    @Override
    public <T> T service(Class<T> type) {
        return services.proxy(type);
    }

    @Override
    public ConcurrentMap<String, Object> resources() {
        return record.resources();
    }

    @Override
    public ExecutorService executor() {
        return threads.executor();
    }

    @Override
    public ThreadFactory threadFactory() {
        return threads;
    }

    @Override
    public Path nativeLibrary(String name) {
        Path copy;
        try {
            copy = natives.resolve(name);
        } catch (NativeLibraryException e) {
            throw new ModuleException(record.name(), e.getMessage(), e);
        }
        if (copy == null) {
            throw new ModuleException(record.name(), "Cannot find native library " + name + " for module "
                    + record.name() + " " + version + ": neither the jar's native/" + natives.platform().folderName()
                    + "/ folder nor the watched folder has " + natives.platform().mapLibraryName(name), null);
        }
        return copy;
    }

    @Override
    public void closeOnRelease(AutoCloseable resource) {
        Objects.requireNonNull(resource, "resource");
        synchronized (this) {
            if (closeOnRelease != null) {
                closeOnRelease.push(resource);
                return;
            }
        }
        Exception failure = close(resource);
        throw new ModuleException(record.name(), "Cannot keep " + resource + " open until module " + record.name()
                + " " + version + " is released: generation " + generation + " is released already, so it was closed"
                + (failure == null ? "" : ", and its close failed: " + failure), failure);
    }

    /**
     * What {@link #closeOnRelease} took, the last first, to close now; from then on it takes no more. Called once, on
     * release, when the generation's code is done.
     */
    synchronized List<AutoCloseable> takeCloseOnRelease() {
        List<AutoCloseable> taken = closeOnRelease == null ? List.of() : List.copyOf(closeOnRelease);
        closeOnRelease = null;
        return taken;
    }

    /** Closes {@code resource}; returns what it threw, or {@code null}. */
    static Exception close(AutoCloseable resource) {
        try {
            resource.close();
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    @Override
    public String toString() {
        return "ModuleContext[" + record.name() + " " + version + " #" + generation + "]";
    }
}
