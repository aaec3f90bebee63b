package dev.hotplug.framework;

import dev.hotplug.api.ModuleContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private final System.Logger logger;

    GenerationContext(ModuleRecord record, String version, long generation, GenerationThreads threads,
                      ServiceRegistry services, Path dataDirectory) {
        this.record = record;
        this.version = version;
        this.generation = generation;
        this.threads = threads;
        this.services = services;
        this.dataDirectory = dataDirectory;
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
    public String toString() {
        return "ModuleContext[" + record.name() + " " + version + " #" + generation + "]";
    }
}
