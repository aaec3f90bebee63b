package dev.hotplug.isolation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The entries of one generation's class path, read through jar files this index owns (never the JDK's jar URL
 * cache), so closing it releases every file handle. Built once before the module runs; lookups are lock-free
 * and thread-safe.
 */
final class ClassPathIndex implements AutoCloseable {

    /** Where one entry lives: a jar, and the folder prefix of the class path element inside it. */
    record Location(JarFile jar, String entryName) {
    }

    /**
     * Both emptied by {@link #close()}: a released generation's loader stays reachable until its classes unload, and
     * every young collection until then copies what it holds, its closed jar files and a location per entry included.
     */
    private volatile List<JarFile> jars;
    private volatile Map<String, Location> entries;
    private final Set<String> packages;

    private ClassPathIndex(List<JarFile> jars, Map<String, Location> entries, Set<String> packages) {
        this.jars = jars;
        this.entries = entries;
        this.packages = packages;
    }

    /**
     * Opens the generation's jar and its class path elements, extracting nested jars into the work directory.
     *
     * @throws IsolationException naming the module and file when the jar or an element cannot be read
     */
    static ClassPathIndex open(LoaderSpec spec) {
        List<JarFile> jars = new ArrayList<>();
        Map<String, Location> entries = new HashMap<>();
        Set<String> packages = new HashSet<>();
        try {
            JarFile outer = new JarFile(spec.jar().toFile(), false);
            jars.add(outer);
            for (String element : spec.classPath()) {
                if (element.equals(".") || element.equals("./")) {
                    index(outer, "", entries, packages);
                } else if (outer.getJarEntry(element) != null && !outer.getJarEntry(element).isDirectory()) {
                    if (spec.workDirectory() == null) {
                        throw new IsolationException("Cannot open class path of module " + spec.module() + " "
                                + spec.version() + ": nested jar \"" + element + "\" needs a work directory",
                                spec.module(), spec.version(), spec.jar(), null);
                    }
                    JarFile nested = new JarFile(extract(spec, outer, element).toFile(), false);
                    jars.add(nested);
                    index(nested, "", entries, packages);
                } else {
                    String prefix = element.endsWith("/") ? element : element + "/";
                    if (outer.getJarEntry(prefix) == null && !hasPrefix(outer, prefix)) {
                        throw new IsolationException("Cannot open class path of module " + spec.module() + " "
                                + spec.version() + ": entry \"" + element + "\" is not in " + spec.jar().getFileName(),
                                spec.module(), spec.version(), spec.jar(), null);
                    }
                    index(outer, prefix, entries, packages);
                }
            }
        } catch (IOException e) {
            closeAll(jars, e);
            throw new IsolationException("Cannot open module " + spec.module() + " " + spec.version() + " jar "
                    + spec.jar().getFileName() + ": " + e.getMessage(), spec.module(), spec.version(), spec.jar(), e);
        } catch (RuntimeException e) {
            closeAll(jars, e);
            throw e;
        }
        return new ClassPathIndex(List.copyOf(jars), Map.copyOf(entries), Set.copyOf(packages));
    }

    private static boolean hasPrefix(JarFile jar, String prefix) {
        return jar.stream().anyMatch(e -> e.getName().startsWith(prefix));
    }

    private static Path extract(LoaderSpec spec, JarFile outer, String element) throws IOException {
        Path folder = spec.workDirectory().resolve("classpath");
        Files.createDirectories(folder);
        Path target = folder.resolve(Integer.toHexString(element.hashCode()) + "-"
                + element.substring(element.lastIndexOf('/') + 1));
        if (!target.normalize().startsWith(folder)) {
            throw new IOException("nested jar \"" + element + "\" leaves the work directory");
        }
        try (InputStream in = outer.getInputStream(outer.getJarEntry(element))) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    private static void index(JarFile jar, String prefix, Map<String, Location> entries, Set<String> packages) {
        Enumeration<JarEntry> all = jar.entries();
        while (all.hasMoreElements()) {
            JarEntry entry = all.nextElement();
            String name = entry.getName();
            if (entry.isDirectory() || !name.startsWith(prefix)) {
                continue;
            }
            String relative = name.substring(prefix.length());
            if (relative.startsWith("META-INF/") && relative.endsWith(".SF")) {
                continue;
            }
            entries.putIfAbsent(relative, new Location(jar, name));
            int slash = relative.lastIndexOf('/');
            if (relative.endsWith(".class") && slash > 0) {
                packages.add(relative.substring(0, slash).replace('/', '.'));
            }
        }
    }

    /** Where {@code resourceName} lives in this class path, or {@code null}. */
    Location find(String resourceName) {
        return entries.get(resourceName);
    }

    /** Reads an entry whole; every class of every generation comes through here. */
    byte[] read(Location location) throws IOException {
        return JarEntries.read(location.jar(), location.jar().getJarEntry(location.entryName()));
    }

    /** Opens an entry for reading. */
    InputStream open(Location location) throws IOException {
        return location.jar().getInputStream(location.jar().getJarEntry(location.entryName()));
    }

    /** Packages that hold classes in this class path. */
    Set<String> packages() {
        return packages;
    }

    @Override
    public void close() throws IOException {
        List<JarFile> open = jars;
        jars = List.of();
        entries = Map.of();
        IOException failure = null;
        for (JarFile jar : open) {
            try {
                jar.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void closeAll(List<JarFile> jars, Exception primary) {
        for (JarFile jar : jars) {
            try {
                jar.close();
            } catch (IOException e) {
                primary.addSuppressed(e);
            }
        }
    }
}
