package dev.hotplug.framework;

import java.io.IOException;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * What the watcher knows of one complete jar in the modules folder: the module it claims and its content hash.
 * Immutable.
 *
 * @param path the jar in the watched folder
 * @param name the module name it claims; {@code null} when its manifest names none (deploying it reports why)
 * @param version the version it claims; {@link ModuleVersion#ZERO} when missing or unreadable
 * @param sha256 hex SHA-256 of the file's bytes
 */
record WatchedJar(Path path, String name, ModuleVersion version, String sha256) {

    /** Reads the manifest's claim and hashes the file. Blocks on file I/O. */
    static WatchedJar read(Path path) throws IOException {
        String sha = FileDigest.of(path);
        String name = null;
        ModuleVersion version = ModuleVersion.ZERO;
        try (JarFile jar = new JarFile(path.toFile(), false)) {
            Manifest manifest = jar.getManifest();
            if (manifest != null) {
                Attributes main = manifest.getMainAttributes();
                name = firstOf(main.getValue("Hotplug-Module"), main.getValue("Bundle-SymbolicName"));
                String text = firstOf(main.getValue("Hotplug-Version"), main.getValue("Bundle-Version"));
                if (text != null) {
                    version = parse(text);
                }
            }
        }
        return new WatchedJar(path, name, version, sha);
    }

    /** {@code name version (file)}, for log lines. */
    String label() {
        return (name == null ? "?" : name + " " + version) + " (" + path.getFileName() + ")";
    }

    private static ModuleVersion parse(String text) {
        try {
            return ModuleVersion.parse(text);
        } catch (IllegalArgumentException e) {
            // deploying the jar reports the bad version; for choosing among jars it ranks lowest
            return ModuleVersion.ZERO;
        }
    }

    private static String firstOf(String header, String fallback) {
        String value = header != null && !header.isBlank() ? header : fallback;
        if (value == null || value.isBlank()) {
            return null;
        }
        int semicolon = value.indexOf(';');
        return (semicolon < 0 ? value : value.substring(0, semicolon)).trim();
    }
}
