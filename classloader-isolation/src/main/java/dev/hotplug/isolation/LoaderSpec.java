package dev.hotplug.isolation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Immutable description of one module generation's classloader: its jar copy, class path, and what it may
 * see beyond itself. Built and validated by {@link Builder}; thread-safe.
 */
public final class LoaderSpec {

    private static final Pattern PACKAGE = Pattern.compile("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*"
            + "(\\.[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*)*(\\.\\*)?");

    private final String module;
    private final String version;
    private final long generation;
    private final Path jar;
    private final List<String> classPath;
    private final Path workDirectory;
    private final ClassLoader apiLoader;
    private final ClassLoader hostLoader;
    private final Set<String> sharedPackages;
    private final PackageSource imports;
    private final LibraryResolver libraries;

    private LoaderSpec(Builder b) {
        this.module = b.module;
        this.version = b.version;
        this.generation = b.generation;
        this.jar = b.jar;
        this.classPath = List.copyOf(b.classPath);
        this.workDirectory = b.workDirectory;
        this.apiLoader = b.apiLoader;
        this.hostLoader = b.hostLoader;
        this.sharedPackages = Set.copyOf(b.sharedPackages);
        this.imports = b.imports;
        this.libraries = b.libraries;
    }

    /** Starts a spec for generation {@code generation} of module {@code module} at {@code version}. */
    public static Builder builder(String module, String version, long generation) {
        return new Builder(module, version, generation);
    }

    /** The module name. */
    public String module() {
        return module;
    }

    /** The module version of this generation. */
    public String version() {
        return version;
    }

    /** The generation number, unique per module name in the process. */
    public long generation() {
        return generation;
    }

    /** The generation's own copy of the jar, never the file in the watched folder. */
    public Path jar() {
        return jar;
    }

    /** Class path entries inside the jar: {@code "."} for its root, else a nested jar or a folder inside it. */
    public List<String> classPath() {
        return classPath;
    }

    /** Folder owned by this generation where nested jars are extracted. */
    public Path workDirectory() {
        return workDirectory;
    }

    /** The loader serving {@code dev.hotplug.api}. */
    public ClassLoader apiLoader() {
        return apiLoader;
    }

    /** The loader serving {@link #sharedPackages()}. */
    public ClassLoader hostLoader() {
        return hostLoader;
    }

    /** Packages the host shares: exact names, or {@code prefix.*} for a package and all below it. */
    public Set<String> sharedPackages() {
        return sharedPackages;
    }

    /** Where imported packages come from. */
    public PackageSource imports() {
        return imports;
    }

    /** Where native libraries come from. */
    public LibraryResolver libraries() {
        return libraries;
    }

    /** Whether {@code packageName} is one of the host-shared packages. */
    boolean isShared(String packageName) {
        if (sharedPackages.contains(packageName)) {
            return true;
        }
        for (String shared : sharedPackages) {
            if (shared.endsWith(".*")) {
                String prefix = shared.substring(0, shared.length() - 2);
                if (packageName.equals(prefix) || packageName.startsWith(prefix + ".")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Builds a {@link LoaderSpec}; not thread-safe. */
    public static final class Builder {
        private final String module;
        private final String version;
        private final long generation;
        private Path jar;
        private final List<String> classPath = new ArrayList<>(List.of("."));
        private Path workDirectory;
        private ClassLoader apiLoader;
        private ClassLoader hostLoader = ClassLoader.getSystemClassLoader();
        private final Set<String> sharedPackages = new LinkedHashSet<>();
        private PackageSource imports = PackageSource.NONE;
        private LibraryResolver libraries = LibraryResolver.NONE;

        private Builder(String module, String version, long generation) {
            this.module = Objects.requireNonNull(module, "module");
            this.version = Objects.requireNonNull(version, "version");
            this.generation = generation;
        }

        /** The generation's jar copy (required). */
        public Builder jar(Path jar) {
            this.jar = jar;
            return this;
        }

        /** Class path entries inside the jar; defaults to {@code ["."]}. */
        public Builder classPath(List<String> entries) {
            classPath.clear();
            classPath.addAll(entries);
            return this;
        }

        /** Folder for extracted nested jars (required when the class path names one). */
        public Builder workDirectory(Path folder) {
            this.workDirectory = folder;
            return this;
        }

        /** The loader of {@code dev.hotplug.api} (required). */
        public Builder apiLoader(ClassLoader loader) {
            this.apiLoader = loader;
            return this;
        }

        /** Shares {@code packages} (exact, or {@code prefix.*}) from {@code host} with the module. */
        public Builder share(ClassLoader host, Set<String> packages) {
            this.hostLoader = Objects.requireNonNull(host, "host");
            sharedPackages.addAll(packages);
            return this;
        }

        /** Where the module's imports resolve; defaults to none. */
        public Builder imports(PackageSource source) {
            this.imports = Objects.requireNonNull(source, "imports");
            return this;
        }

        /** Where the module's native libraries resolve; defaults to none. */
        public Builder libraries(LibraryResolver resolver) {
            this.libraries = Objects.requireNonNull(resolver, "libraries");
            return this;
        }

        /**
         * Validates and builds the spec.
         *
         * @throws IsolationException naming the module when a required part is missing or malformed
         */
        public LoaderSpec build() {
            if (jar == null) {
                throw fail("no jar copy given");
            }
            if (apiLoader == null) {
                throw fail("no loader for dev.hotplug.api given");
            }
            if (classPath.isEmpty()) {
                throw fail("empty class path");
            }
            for (String entry : classPath) {
                if (entry.startsWith("/") || entry.contains("..") || entry.contains("\\")) {
                    throw fail("class path entry \"" + entry + "\" leaves the jar");
                }
                if (!entry.equals(".") && workDirectory == null && entry.endsWith(".jar")) {
                    throw fail("nested jar \"" + entry + "\" needs a work directory");
                }
            }
            for (String shared : sharedPackages) {
                if (!PACKAGE.matcher(shared).matches()) {
                    throw fail("shared package \"" + shared + "\" is not a package name");
                }
            }
            return new LoaderSpec(this);
        }

        private IsolationException fail(String cause) {
            return new IsolationException("Cannot create classloader for module " + module + " " + version
                    + ": " + cause, module, version, jar, null);
        }
    }
}
