package dev.hotplug.framework;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What one module jar declares, read from its manifest and bytecode before any of its code runs: name, version,
 * lifecycle class and methods, exports, imports, class path and state schema. Immutable and thread-safe; made by
 * the framework (see {@code ManifestReader}), never {@code null} in its parts.
 */
public final class ModuleSpec {

    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final String IDENTIFIER = "\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*";
    static final Pattern QUALIFIED_NAME = Pattern.compile(IDENTIFIER + "(\\." + IDENTIFIER + ")*");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final String name;
    private final ModuleVersion version;
    private final Path jar;
    private final String sha256;
    private final String activatorClass;
    private final boolean reloadable;
    private final List<PackageExport> exports;
    private final List<PackageImport> imports;
    private final List<String> classPath;
    private final Set<String> packages;
    private final List<String> preload;
    private final Map<LifecyclePhase, LifecycleMethod> lifecycle;
    private final List<String> stateFields;
    private final int stateVersion;
    private final Set<Integer> migrationSteps;
    private final Map<String, String> headers;
    private final int classFileVersion;

    private ModuleSpec(Builder b) {
        this.name = b.name;
        this.version = b.version;
        this.jar = b.jar;
        this.sha256 = b.sha256;
        this.activatorClass = b.activatorClass;
        this.reloadable = b.reloadable;
        this.exports = List.copyOf(b.exports);
        this.imports = List.copyOf(b.imports);
        this.classPath = List.copyOf(b.classPath);
        this.packages = Collections.unmodifiableSet(new TreeSet<>(b.packages));
        this.preload = b.preload;
        this.lifecycle = Collections.unmodifiableMap(new EnumMap<>(b.lifecycle));
        this.stateFields = List.copyOf(b.stateFields);
        this.stateVersion = b.stateVersion;
        this.migrationSteps = Collections.unmodifiableSet(new TreeSet<>(b.migrationSteps));
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
        this.classFileVersion = b.classFileVersion;
    }

    static Builder builder() {
        return new Builder();
    }

    /** The module name ({@code Hotplug-Module}, else {@code Bundle-SymbolicName}), matching {@code [a-z0-9][a-z0-9._-]*}. */
    public String name() {
        return name;
    }

    /** The module version ({@code Hotplug-Version}, else {@code Bundle-Version}). */
    public ModuleVersion version() {
        return version;
    }

    /** The file this spec was read from. */
    public Path jar() {
        return jar;
    }

    /** SHA-256 of the jar's bytes, lowercase hex. */
    public String sha256() {
        return sha256;
    }

    /** Binary name (dots) of the class carrying the lifecycle methods. */
    public String activatorClass() {
        return activatorClass;
    }

    /** Whether a new jar may replace a running version ({@code @HotplugModule(reloadable)}, true by default). */
    public boolean reloadable() {
        return reloadable;
    }

    /** Class path entries inside the jar ({@code Hotplug-ClassPath}, else {@code Bundle-ClassPath}; default {@code ["."]}). */
    public List<String> classPath() {
        return classPath;
    }

    /** Packages holding classes on the module's own class path, nested jars included; sorted. */
    public Set<String> packages() {
        return packages;
    }

    /** Classes besides the lifecycle class that staging defines and links before a reload quiesces, in jar order. */
    List<String> preload() {
        return preload;
    }

    /** Names of the lifecycle class's {@code @State} fields, in declaration order. */
    public List<String> stateFields() {
        return stateFields;
    }

    /** The state schema version ({@code @StateVersion}, 1 when absent). */
    public int stateVersion() {
        return stateVersion;
    }

    /** The {@code from} values of the lifecycle class's {@code @Migrate} methods, sorted. */
    public Set<Integer> migrationSteps() {
        return migrationSteps;
    }

    /** The manifest's main attributes as written, in manifest order. */
    public Map<String, String> headers() {
        return headers;
    }

    /** The packages this module exports, in header order. */
    List<PackageExport> exports() {
        return exports;
    }

    /** The packages this module imports, in header order. */
    List<PackageImport> imports() {
        return imports;
    }

    /** The lifecycle methods the lifecycle class declares; phases without one are absent. */
    Map<LifecyclePhase, LifecycleMethod> lifecycle() {
        return lifecycle;
    }

    /** The highest class file major version among the module's classes (0 when it has none). */
    int classFileVersion() {
        return classFileVersion;
    }

    /** The exported version of {@code packageName}, or {@code null} when this module does not export it. */
    ModuleVersion exportedVersion(String packageName) {
        for (PackageExport export : exports) {
            if (export.packageName().equals(packageName)) {
                return export.version();
            }
        }
        return null;
    }

    /** {@code name version (file)}, for messages. */
    @Override
    public String toString() {
        return name + " " + version + " (" + jar.getFileName() + ")";
    }

    /** Collects and validates the parts of a {@link ModuleSpec}; not thread-safe. */
    static final class Builder {
        private String name;
        private ModuleVersion version;
        private Path jar;
        private String sha256;
        private String activatorClass;
        private boolean reloadable = true;
        private final List<PackageExport> exports = new ArrayList<>();
        private final List<PackageImport> imports = new ArrayList<>();
        private final List<String> classPath = new ArrayList<>();
        private final Set<String> packages = new HashSet<>();
        private final Map<LifecyclePhase, LifecycleMethod> lifecycle = new EnumMap<>(LifecyclePhase.class);
        private final List<String> stateFields = new ArrayList<>();
        private int stateVersion = 1;
        private final Set<Integer> migrationSteps = new HashSet<>();
        private final Map<String, String> headers = new LinkedHashMap<>();
        private int classFileVersion;
        private List<String> preload = List.of();

        private Builder() {
        }

        Builder name(String value) {
            this.name = value;
            return this;
        }

        Builder version(ModuleVersion value) {
            this.version = value;
            return this;
        }

        Builder jar(Path value) {
            this.jar = value;
            return this;
        }

        Builder sha256(String value) {
            this.sha256 = value;
            return this;
        }

        Builder activatorClass(String value) {
            this.activatorClass = value;
            return this;
        }

        Builder reloadable(boolean value) {
            this.reloadable = value;
            return this;
        }

        Builder export(PackageExport value) {
            exports.add(value);
            return this;
        }

        Builder importPackage(PackageImport value) {
            imports.add(value);
            return this;
        }

        /** Replaces the class path; left empty, it is {@code ["."]}. */
        Builder classPath(List<String> entries) {
            classPath.clear();
            classPath.addAll(entries);
            return this;
        }

        /** Classes staging defines and links ahead of a reload's pause. */
        Builder preload(List<String> names) {
            preload = List.copyOf(names);
            return this;
        }

        Builder packages(Set<String> value) {
            packages.addAll(value);
            return this;
        }

        Builder lifecycle(LifecyclePhase phase, LifecycleMethod method) {
            lifecycle.put(phase, method);
            return this;
        }

        Builder stateField(String field) {
            stateFields.add(field);
            return this;
        }

        Builder stateVersion(int value) {
            this.stateVersion = value;
            return this;
        }

        Builder migrationStep(int from) {
            migrationSteps.add(from);
            return this;
        }

        Builder headers(Map<String, String> value) {
            headers.putAll(value);
            return this;
        }

        Builder classFileVersion(int value) {
            this.classFileVersion = value;
            return this;
        }

        /**
         * Checks the parts against each other and builds the spec.
         *
         * @throws InvalidModuleException "Cannot read module NAME (FILE): CAUSE" for the first problem found
         */
        ModuleSpec build() {
            if (jar == null) {
                throw refuse("no jar file given");
            }
            if (name == null || !NAME.matcher(name).matches()) {
                throw refuse("invalid module name \"" + name + "\" (expected " + NAME.pattern() + ")");
            }
            if (version == null) {
                throw refuse("no version");
            }
            if (sha256 == null || !SHA256.matcher(sha256).matches()) {
                throw refuse("invalid sha256 \"" + sha256 + "\"");
            }
            if (activatorClass == null || !QUALIFIED_NAME.matcher(activatorClass).matches()) {
                throw refuse("invalid lifecycle class name \"" + activatorClass + "\"");
            }
            Set<String> seen = new HashSet<>();
            for (PackageExport export : exports) {
                checkPackage("Export-Package", export.packageName(), seen);
            }
            seen.clear();
            for (PackageImport imported : imports) {
                checkPackage("Import-Package", imported.packageName(), seen);
            }
            if (classPath.isEmpty()) {
                classPath.add(".");
            }
            for (String entry : classPath) {
                String problem = classPathProblem(entry);
                if (problem != null) {
                    throw refuse("class path entry \"" + entry + "\" " + problem);
                }
            }
            if (stateVersion < 1) {
                throw refuse("@StateVersion(" + stateVersion + ") must be 1 or more");
            }
            for (int from : migrationSteps) {
                if (from < 1 || from >= stateVersion) {
                    throw refuse("@Migrate(from = " + from + ") is outside 1.." + (stateVersion - 1)
                            + " for @StateVersion(" + stateVersion + ")");
                }
            }
            return new ModuleSpec(this);
        }

        private void checkPackage(String header, String packageName, Set<String> seen) {
            if (!QUALIFIED_NAME.matcher(packageName).matches()) {
                throw refuse(header + ": \"" + packageName + "\" is not a package name");
            }
            if (!seen.add(packageName)) {
                throw refuse(header + ": " + packageName + " is listed twice");
            }
        }

        private InvalidModuleException refuse(String cause) {
            String module = name != null && NAME.matcher(name).matches() ? name : null;
            return InvalidModuleException.reading(jar, module, version == null ? null : version.toString(), cause, null);
        }
    }

    /** Why {@code entry} may not be a class path entry, or {@code null} when it may. */
    static String classPathProblem(String entry) {
        if (entry.isEmpty()) {
            return "is empty";
        }
        if (entry.startsWith("/") || entry.contains("\\") || entry.contains(":")) {
            return "must be a path inside the jar (no absolute path)";
        }
        for (String segment : entry.split("/")) {
            if (segment.equals("..")) {
                return "must not contain \"..\"";
            }
        }
        return null;
    }
}
