package dev.hotplug.nativelib;

import dev.hotplug.isolation.LibraryResolver;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The native libraries of one module generation. {@link #check()} vets the jar's libraries at staging time,
 * before any module code runs; {@link #resolve(String)} answers the generation classloader's
 * {@code findLibrary}: the jar's {@code native/<os>-<arch>/} folder first, then loose files in the watched folder,
 * each copied into {@code <workDirectory>/native/} under a name no other generation uses, together with the
 * sibling libraries it reaches through {@code $ORIGIN}; {@link #close()} or {@link #closeWhenCollected} deletes
 * the copies. Thread-safe: calls are serialised, and copying blocks other callers of the same namespace only.
 *
 * <pre>{@code
 * NativeNamespace natives = NativeNamespace.builder("counter", "2.0.0", 7)
 *     .jar(versionedCopy).looseFolder(watchedFolder).workDirectory(generationFolder).build();
 * natives.check();                        // throws NativeLibraryException: refuse the version
 * ... LoaderSpec.builder(...).libraries(natives) ...
 * natives.closeWhenCollected(loader);     // at release
 * }</pre>
 */
public final class NativeNamespace implements LibraryResolver, AutoCloseable {

    private final String module;
    private final String version;
    private final long generation;
    private final NativePlatform platform;
    private final Path jar;
    private final Path nativeFolder;
    private final GenerationCopies copies;
    private final Object lock = new Object();
    private JarLibraries jarLibraries;
    private boolean released;
    private NativeLibraryException deferredFailure;

    private NativeNamespace(Builder builder) {
        this.module = builder.module;
        this.version = builder.version;
        this.generation = builder.generation;
        this.platform = builder.platform != null ? builder.platform : NativePlatform.current();
        this.jar = builder.jar == null ? null : builder.jar.toAbsolutePath().normalize();
        this.nativeFolder = builder.workDirectory.toAbsolutePath().normalize().resolve("native");
        Path loose = builder.looseFolder == null ? null : builder.looseFolder.toAbsolutePath().normalize();
        this.copies = new GenerationCopies(platform, nativeFolder, jar, this::jarLibraries, loose, builder.pinnedLoose);
    }

    /**
     * Why the library file {@code file} cannot be loaded on this JVM's platform, worded to follow its name ("is
     * truncated: ...", "is an ELF for aarch64, this JVM runs on x86_64"), or {@code null} when its headers fit. Reads
     * the file's first bytes; thread-safe.
     *
     * @throws IOException when the file cannot be read
     */
    public static String headerProblem(Path file) throws IOException {
        return LibraryHeader.read(file).mismatch(NativePlatform.current());
    }

    /** A builder for generation {@code generation} of {@code module} at {@code version} (both non-null). */
    public static Builder builder(String module, String version, long generation) {
        return new Builder(module, version, generation);
    }

    /**
     * Checks the jar before any module code runs: every entry under {@code native/} must stay inside its folder
     * and not be a link, and every library in this platform's folder must be a shared library this JVM can load
     * (format, 32/64-bit, byte order, machine, not truncated). Reads the jar; extracts nothing.
     *
     * @throws NativeLibraryException one line naming module, file and cause:
     *         "Cannot stage module native-counter 2.0.0: native/linux-x86_64/libcounter.so is an ELF for aarch64,
     *         this JVM runs on x86_64"
     */
    public void check() {
        synchronized (lock) {
            try {
                JarLibraries libraries = jarLibraries();
                if (libraries == null) {
                    return;
                }
                Map<String, LibraryHeader> headers;
                try {
                    headers = libraries.headers();
                } catch (IOException e) {
                    throw new Refusal("cannot read jar " + jar.getFileName() + " (" + e.getMessage() + ")", jar,
                            null, e);
                }
                for (Map.Entry<String, LibraryHeader> header : headers.entrySet()) {
                    String mismatch = header.getValue().mismatch(platform);
                    if (mismatch != null) {
                        throw new Refusal(header.getKey() + " " + mismatch, jar, header.getKey(), null);
                    }
                }
            } catch (Refusal refusal) {
                throw failure("stage module " + module + " " + version, refusal);
            }
        }
    }

    /**
     * Returns the absolute path of this generation's copy of library {@code name} (as given to
     * {@code System.loadLibrary}), copying it and its siblings on first use; later calls return the same path.
     * Returns {@code null} when neither the jar nor the watched folder has the library. Blocks while copying.
     *
     * @throws NativeLibraryException when the library is for another platform, corrupt, a link leaving the
     *         watched folder, cannot be copied, the name holds a path separator, or the generation is released
     */
    @Override
    public Path resolve(String name) {
        Objects.requireNonNull(name, "name");
        String action = "load native library " + name + " for module " + module + " " + version;
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0
                || name.equals("..") || name.equals(".")) {
            throw new NativeLibraryException("Cannot " + action + ": the name is empty or holds a path separator",
                    module, version, null, null, null);
        }
        synchronized (lock) {
            if (released) {
                throw new NativeLibraryException("Cannot " + action + ": generation " + generation
                        + " is released", module, version, null, null, null);
            }
            for (LoadedLibrary library : copies.loaded()) {
                if (library.name().equals(name)) {
                    return library.copy();
                }
            }
            try {
                return copies.copy(name, platform.mapLibraryName(name));
            } catch (Refusal refusal) {
                throw failure(action, refusal);
            }
        }
    }

    /** What this generation loaded so far, in load order, siblings included; a snapshot. */
    public List<LoadedLibrary> loaded() {
        synchronized (lock) {
            return copies.loaded();
        }
    }

    /**
     * The loose files in the watched folder this generation copied (siblings included): the name found there and,
     * for a link, the file it points to. A change to any of them should reload the generation. A snapshot.
     */
    public Set<Path> looseSources() {
        synchronized (lock) {
            return copies.looseSources();
        }
    }

    /**
     * Loose file name → the file holding its bytes as this generation loaded them, for each loose library it copied
     * (siblings included); hand them to {@link Builder#pinLoose} to bring the same bytes back in a later generation.
     * Valid until this namespace is closed. A snapshot.
     */
    public Map<String, Path> looseSnapshots() {
        synchronized (lock) {
            return copies.snapshots();
        }
    }

    /** The platform this namespace resolves for. */
    public NativePlatform platform() {
        return platform;
    }

    /** The folder holding this generation's copies, {@code <workDirectory>/native}; may not exist yet. */
    public Path folder() {
        return nativeFolder;
    }

    /**
     * Releases the generation: later {@link #resolve} calls fail, and the copies and their folder are deleted now.
     * On Linux that is safe while the generation's classloader is alive: the mapping outlives the name and goes
     * when the loader is collected (check with {@link MappedLibraries}). Idempotent; calling again retries what
     * failed, including a deletion {@link #closeWhenCollected} could not do.
     *
     * @throws NativeLibraryException when a copy cannot be deleted (Windows keeps a loaded DLL locked)
     */
    @Override
    public void close() {
        synchronized (lock) {
            released = true;
            deferredFailure = null;
            NativeLibraryException failure = deleteCopies();
            if (failure != null) {
                throw failure;
            }
        }
    }

    /**
     * Releases the generation now and deletes the copies once {@code loader} (this generation's classloader) has
     * been garbage collected, when the JVM has unloaded its libraries. Does not block. A deletion that fails then
     * is kept and thrown by the next {@link #close()}. The namespace holds no reference to {@code loader}.
     */
    public void closeWhenCollected(ClassLoader loader) {
        Objects.requireNonNull(loader, "loader");
        synchronized (lock) {
            released = true;
        }
        Collector.CLEANER.register(loader, this::deleteAfterCollection);
    }

    private void deleteAfterCollection() {
        synchronized (lock) {
            deferredFailure = deleteCopies();
        }
    }

    private NativeLibraryException deleteCopies() {
        Map<Path, IOException> failures = copies.deleteAll();
        if (failures.isEmpty()) {
            return null;
        }
        Map.Entry<Path, IOException> first = failures.entrySet().iterator().next();
        NativeLibraryException failure = new NativeLibraryException("Cannot release native libraries of module "
                + module + " " + version + " generation " + generation + ": " + first.getKey()
                + " cannot be deleted (" + first.getValue() + ")", module, version, first.getKey(), null,
                first.getValue());
        failures.values().stream().skip(1).forEach(failure::addSuppressed);
        return failure;
    }

    /** The scanned jar, cached; {@code null} when the generation has no jar. Callers hold the lock. */
    private JarLibraries jarLibraries() throws Refusal {
        if (jar == null) {
            return null;
        }
        if (jarLibraries == null) {
            jarLibraries = JarLibraries.scan(jar, platform);
        }
        return jarLibraries;
    }

    private NativeLibraryException failure(String action, Refusal refusal) {
        return new NativeLibraryException("Cannot " + action + ": " + refusal.getMessage(), module, version,
                refusal.path(), refusal.entry(), refusal.getCause());
    }

    @Override
    public String toString() {
        return "NativeNamespace[" + module + " " + version + " generation " + generation + " " + platform + "]";
    }

    /** Holds the cleaner thread, started only when {@link #closeWhenCollected} is first used. */
    private static final class Collector {
        static final Cleaner CLEANER = Cleaner.create();
    }

    /** Collects a namespace's settings. Not thread-safe. */
    public static final class Builder {

        private final String module;
        private final String version;
        private final long generation;
        private NativePlatform platform;
        private Path jar;
        private Path looseFolder;
        private Map<String, Path> pinnedLoose = Map.of();
        private Path workDirectory;

        private Builder(String module, String version, long generation) {
            this.module = Objects.requireNonNull(module, "module");
            this.version = Objects.requireNonNull(version, "version");
            this.generation = generation;
        }

        /** The platform to resolve for; {@code null} (the default) means {@link NativePlatform#current()}. */
        public Builder platform(NativePlatform platform) {
            this.platform = platform;
            return this;
        }

        /** The generation's versioned jar copy; {@code null} means the module brings no libraries in a jar. */
        public Builder jar(Path versionedCopy) {
            this.jar = versionedCopy;
            return this;
        }

        /** The watched folder holding loose libraries; {@code null} means none are looked up. */
        public Builder looseFolder(Path watchedFolder) {
            this.looseFolder = watchedFolder;
            return this;
        }

        /**
         * Loose libraries to take from these files, by file name, instead of from the watched folder: an earlier
         * generation's {@link #looseSnapshots()}, so that a rollback loads the bytes its version ran with even after
         * the watched folder's file was replaced. The files must stay until this namespace has copied them.
         */
        public Builder pinLoose(Map<String, Path> snapshots) {
            this.pinnedLoose = Map.copyOf(snapshots);
            return this;
        }

        /** The generation's own folder; copies go to its {@code native} subfolder. Required. */
        public Builder workDirectory(Path generationFolder) {
            this.workDirectory = generationFolder;
            return this;
        }

        /** Builds the namespace; touches no file. */
        public NativeNamespace build() {
            Objects.requireNonNull(workDirectory, "workDirectory");
            return new NativeNamespace(this);
        }
    }
}
