package dev.hotplug.framework;

import dev.hotplug.isolation.JarEntries;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Reads a module jar into a {@link ModuleSpec} without running any of its code: manifest headers (with their
 * OSGi fallbacks), the packages on its class path (nested jars included), and the lifecycle class through
 * {@link ActivatorScanner}. Blocks on file I/O; stateless and thread-safe. The jar is closed on return.
 *
 * <p>A module jar without {@code Hotplug-Version} or {@code Bundle-Version} is refused (no silent 0.0.0), and an
 * exported package must hold classes in the module: both catch mistakes before anything runs.
 */
final class ManifestReader {

    private static final byte[] ZIP_LOCAL = {'P', 'K', 3, 4};
    private static final byte[] ZIP_EMPTY = {'P', 'K', 5, 6};
    /** Class names kept from the scan for {@link #preloadable}, and how many of them staging may preload. */
    private static final int MAX_SCANNED_NAMES = 512;
    static final int MAX_PRELOAD = 64;

    private final Path jar;
    private String module;
    private String version;
    private final List<String> classes = new ArrayList<>();

    private ManifestReader(Path jar) {
        this.jar = jar;
    }

    /**
     * Reads and checks the module jar {@code jar}.
     *
     * @throws InvalidModuleException one line, "Cannot read module jar FILE: CAUSE" or "Cannot read module NAME
     *                                (FILE): CAUSE", for a missing, truncated or corrupt jar, a missing or
     *                                malformed header, a bad class path entry or a bad lifecycle class
     */
    static ModuleSpec read(Path jar) {
        return new ManifestReader(jar).readJar(null);
    }

    /** As {@link #read(Path)}, for a jar whose SHA-256 is already known: {@code sha256}, read while it was copied. */
    static ModuleSpec read(Path jar, String sha256) {
        return new ManifestReader(jar).readJar(sha256);
    }

    private ModuleSpec readJar(String knownSha256) {
        if (Files.isDirectory(jar)) {
            throw refuse("it is a folder, not a jar", null);
        }
        String sha256 = knownSha256 != null ? knownSha256 : sha256();
        JarFile file;
        try {
            file = new JarFile(jar.toFile(), false);
        } catch (ZipException e) {
            throw refuse("not a complete jar (" + e.getMessage() + "): truncated, corrupt, or still being written", e);
        } catch (IOException e) {
            throw refuse("cannot open it (" + e + ")", e);
        }
        try (file) {
            return read(file, sha256);
        } catch (ZipException e) {
            throw refuse("corrupt jar (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw refuse("cannot read it (" + e + ")", e);
        }
    }

    private ModuleSpec read(JarFile file, String sha256) throws IOException {
        Manifest manifest;
        try {
            manifest = file.getManifest();
        } catch (IOException e) {
            throw refuse("invalid META-INF/MANIFEST.MF (" + e.getMessage() + ")", e);
        }
        if (manifest == null) {
            throw refuse("no META-INF/MANIFEST.MF", null);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> header : manifest.getMainAttributes().entrySet()) {
            headers.put(header.getKey().toString(), String.valueOf(header.getValue()));
        }
        ManifestHeaders main = new ManifestHeaders(manifest.getMainAttributes(), this::refuse);
        module = main.name();
        ModuleVersion moduleVersion = main.version();
        version = moduleVersion.toString();

        ModuleSpec.Builder spec = ModuleSpec.builder().jar(jar).sha256(sha256).name(module).version(moduleVersion)
                .headers(headers);
        String activator = main.activator();
        List<String> classPath = main.classPath();
        spec.classPath(classPath);

        ActivatorScanner scanner = new ActivatorScanner(jar, module, version, activator);
        Set<String> packages = new HashSet<>();
        scanClassPath(file, classPath, main.classPathHeader(), scanner, packages);
        spec.packages(packages);

        for (PackageExport export : main.exports()) {
            if (!packages.contains(export.packageName())) {
                throw refuse(ManifestHeaders.EXPORT_PACKAGE + ": " + export.packageName()
                        + " has no classes in the module", null);
            }
            spec.export(export);
        }
        for (PackageImport imported : main.imports()) {
            spec.importPackage(imported);
        }

        ActivatorScanner.Result result = scanner.finish();
        spec.preload(preloadable(result.activatorClass()));
        spec.activatorClass(result.activatorClass()).reloadable(result.reloadable())
                .stateVersion(result.stateVersion()).classFileVersion(result.classFileVersion());
        result.lifecycle().forEach(spec::lifecycle);
        result.stateFields().forEach(spec::stateField);
        result.migrationSteps().forEach(spec::migrationStep);
        return spec.build();
    }

    /**
     * The classes staging defines and links ahead of the pause: those in the lifecycle class's package and below, in
     * jar order, at most {@link #MAX_PRELOAD}; the rest load on first use.
     */
    private List<String> preloadable(String activatorClass) {
        int dot = activatorClass.lastIndexOf('.');
        String prefix = dot < 0 ? "" : activatorClass.substring(0, dot + 1);
        List<String> preload = new ArrayList<>();
        for (String name : classes) {
            if (preload.size() < MAX_PRELOAD && name.startsWith(prefix) && !name.equals(activatorClass)
                    && !name.endsWith("package-info")) {
                preload.add(name);
            }
        }
        return preload;
    }

    private void scanClassPath(JarFile file, List<String> classPath, String header, ActivatorScanner scanner,
                               Set<String> packages) throws IOException {
        List<String> folders = new ArrayList<>();
        for (String entry : classPath) {
            JarEntry nested = file.getJarEntry(entry);
            if (!entry.equals(".") && (nested == null || nested.isDirectory())) {
                folders.add(entry.endsWith("/") ? entry : entry + "/");
            }
        }
        Set<String> seen = new HashSet<>();
        for (String entry : classPath) {
            if (entry.equals(".")) {
                scanFolder(file, "", folders, scanner, packages, seen);
                continue;
            }
            JarEntry nested = file.getJarEntry(entry);
            if (nested != null && !nested.isDirectory()) {
                scanNestedJar(entry, JarEntries.read(file, nested), header, scanner, packages, seen);
            } else {
                String prefix = entry.endsWith("/") ? entry : entry + "/";
                if (!scanFolder(file, prefix, List.of(), scanner, packages, seen)) {
                    throw refuse(header + ": entry \"" + entry + "\" is not in the jar", null);
                }
            }
        }
    }

    /**
     * Scans the class files under {@code prefix}, except those under {@code excluded} folders (class path
     * folders of their own, whose classes are named from there); false when no entry lies under the prefix.
     */
    private boolean scanFolder(JarFile file, String prefix, List<String> excluded, ActivatorScanner scanner,
                               Set<String> packages, Set<String> seen) throws IOException {
        boolean found = false;
        Enumeration<JarEntry> entries = file.entries();
        while (entries.hasMoreElements()) {
            JarEntry entry = entries.nextElement();
            String name = entry.getName();
            if (!name.startsWith(prefix) || excluded.stream().anyMatch(name::startsWith)) {
                continue;
            }
            found = true;
            String relative = name.substring(prefix.length());
            if (!entry.isDirectory() && isClass(relative) && seen.add(relative)) {
                byte[] bytes;
                try {
                    bytes = JarEntries.read(file, entry);
                } catch (ZipException e) {
                    throw refuse("corrupt entry " + name + " (" + e.getMessage() + ")", e);
                }
                accept(relative, bytes, scanner, packages);
            }
        }
        return found;
    }

    private void scanNestedJar(String entry, byte[] bytes, String header, ActivatorScanner scanner,
                               Set<String> packages, Set<String> seen) {
        if (!startsWith(bytes, ZIP_LOCAL) && !startsWith(bytes, ZIP_EMPTY)) {
            throw refuse(header + ": entry \"" + entry + "\" is not a jar", null);
        }
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry nested = in.getNextEntry(); nested != null; nested = in.getNextEntry()) {
                String relative = nested.getName();
                if (!nested.isDirectory() && isClass(relative) && seen.add(relative)) {
                    accept(relative, in.readAllBytes(), scanner, packages);
                }
            }
        } catch (IOException e) {
            throw refuse(header + ": nested jar \"" + entry + "\" is corrupt (" + e.getMessage() + ")", e);
        }
    }

    private void accept(String relative, byte[] bytes, ActivatorScanner scanner, Set<String> packages) {
        String className = relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
        scanner.accept(className, bytes);
        if (classes.size() < MAX_SCANNED_NAMES) {
            classes.add(className);
        }
        int slash = relative.lastIndexOf('/');
        if (slash > 0 && !relative.endsWith("/package-info.class")) {
            packages.add(relative.substring(0, slash).replace('/', '.'));
        }
    }

    /**
     * Whether {@code relative} is a class file the module's loader would define: not under {@code META-INF/}
     * (multi-release variants are not used), and not {@code module-info}.
     */
    private static boolean isClass(String relative) {
        return relative.endsWith(".class") && !relative.startsWith("META-INF/")
                && !relative.equals("module-info.class");
    }

    private String sha256() {
        try {
            return FileDigest.of(jar);
        } catch (NoSuchFileException e) {
            throw refuse("no such file", e);
        } catch (AccessDeniedException e) {
            throw refuse("permission denied", e);
        } catch (IOException e) {
            throw refuse("cannot read it (" + e + ")", e);
        }
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private InvalidModuleException refuse(String cause, Throwable thrown) {
        return InvalidModuleException.reading(jar, module, version, cause, thrown);
    }
}
