package dev.hotplug.isolation;

import dev.hotplug.api.ModuleContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Shared helpers for the isolation tests: versioned jar copies, specs, instances, polling. */
final class Fixtures {

    /** The loader serving {@code dev.hotplug.api} in the test JVM, as the framework would pass it. */
    static final ClassLoader API_LOADER = ModuleContext.class.getClassLoader();

    private Fixtures() {
    }

    /** Copies {@code jar} to a per-generation file, the way the framework stages a generation. */
    static Path copyForGeneration(Path jar, Path folder, long generation) throws IOException {
        Path copy = folder.resolve("copies").resolve(generation + "-" + jar.getFileName());
        Files.createDirectories(copy.getParent());
        return Files.copy(jar, copy);
    }

    /** A spec builder with the API loader set and version 1.0.0. */
    static LoaderSpec.Builder spec(String module, long generation, Path jarCopy) {
        return LoaderSpec.builder(module, "1.0.0", generation).jar(jarCopy).apiLoader(API_LOADER);
    }

    /** Loads {@code className} through {@code loader} and instantiates it with its no-argument constructor. */
    static <T> T newInstance(ClassLoader loader, String className, Class<T> type) throws ReflectiveOperationException {
        return type.cast(Class.forName(className, true, loader).getDeclaredConstructor().newInstance());
    }

    /** Polls {@code condition} with short waits until it holds or {@code timeout} passes; returns its last value. */
    static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return condition.getAsBoolean();
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Whether this platform exposes open file descriptors as {@code /proc/self/fd} links (Linux). */
    static boolean canListOpenFiles() {
        return Files.isDirectory(Path.of("/proc/self/fd"));
    }

    /** Files this process has open, resolved through {@code /proc/self/fd}. */
    static List<Path> openFiles() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(Fixtures::target).filter(p -> p != null).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path target(Path fd) {
        try {
            return Files.readSymbolicLink(fd);
        } catch (NoSuchFileException closedMeanwhile) {
            // The descriptor was closed between listing and reading it (the listing's own one, typically).
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
