package dev.hotplug.benchmarks;

import dev.hotplug.nativelib.MappedLibraries;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the soak reads from the process and the disk: loaded classes, metaspace, the files under the framework's cache
 * folder, the libraries mapped from it, and the threads a module generation started. Stateless; each call reads afresh.
 */
final class SoakProbe {

    /** A module thread's name, {@code <module>#<generation>-<n>} (the framework's GenerationThreads). */
    private static final Pattern MODULE_THREAD = Pattern.compile(Pattern.quote(SoakModules.NAME) + "#(\\d+)-\\d+");

    /**
     * The JVM after GC.
     *
     * @param loadedClasses {@code ClassLoadingMXBean.getLoadedClassCount()}
     * @param metaspaceBytes the "Metaspace" memory pool's used bytes
     */
    record Level(int loadedClasses, long metaspaceBytes) {
    }

    private SoakProbe() {
    }

    /** Runs a few full GCs, then reads the level; blocks for the GCs. */
    static Level levelAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long metaspace = -1;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().equals("Metaspace")) {
                metaspace = pool.getUsage().getUsed();
            }
        }
        if (metaspace < 0) {
            throw new IllegalStateException("Cannot read metaspace: this JVM has no \"Metaspace\" memory pool");
        }
        return new Level(ManagementFactory.getClassLoadingMXBean().getLoadedClassCount(), metaspace);
    }

    /** This process's cache folder: the one {@code proc-*} folder under {@code <state>/cache}. */
    static Path cacheFolder(Path stateFolder) {
        Path root = stateFolder.resolve("cache");
        try (Stream<Path> folders = Files.list(root)) {
            List<Path> found = folders.filter(p -> p.getFileName().toString().startsWith("proc-")).toList();
            if (found.size() != 1) {
                throw new IllegalStateException("Cannot find the cache folder: " + found.size() + " proc-* folders in "
                        + root);
            }
            return found.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find the cache folder under " + root + ": " + e.getMessage(), e);
        }
    }

    /** The regular files under {@code folder} whose name ends with {@code suffix}, sorted; none when it is missing. */
    static List<Path> filesUnder(Path folder, String suffix) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(suffix))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The folders directly under {@code folder}, sorted; none when it is missing. */
    static List<Path> foldersUnder(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The files mapped into this process from under {@code folder}; {@code null} when the system cannot tell. */
    static List<Path> mappedUnder(Path folder) {
        return MappedLibraries.supported() ? MappedLibraries.mappedUnder(folder) : null;
    }

    /** The {@code Hotplug-Version} in {@code jar}'s manifest. */
    static String versionOf(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest().getMainAttributes().getValue("Hotplug-Version");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the manifest of " + jar + ": " + e.getMessage(), e);
        }
    }

    /** Names of the live threads a generation of the soak module started, other than generation {@code except}'s. */
    static List<String> moduleThreads(long except) {
        List<String> names = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            Matcher name = MODULE_THREAD.matcher(thread.getName());
            if (thread.isAlive() && name.matches() && Long.parseLong(name.group(1)) != except) {
                names.add(thread.getName());
            }
        }
        names.sort(null);
        return names;
    }
}
