package dev.hotplug.nativelib;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The native libraries a module jar holds for one platform: the entries {@code native/<os>-<arch>/<file>} whose
 * file name looks like a library. Scanning refuses the whole jar when any entry under {@code native/} could
 * escape the folder it is extracted to ({@code ..}, {@code .}, absolute names, drive letters, backslashes) or is a
 * symbolic link. Deeper folders ({@code native/linux-x86_64/sub/x.so}) are ignored: the loader never looks there.
 * Immutable once scanned; the jar is opened per use, never kept open.
 */
final class JarLibraries {

    static final String ROOT = "native/";

    private final Path jar;
    private final String folder;
    private final Map<String, String> entries;

    private JarLibraries(Path jar, String folder, Map<String, String> entries) {
        this.jar = jar;
        this.folder = folder;
        this.entries = entries;
    }

    /**
     * Scans {@code jar} for {@code platform}: the canonical folder ({@code native/linux-x86_64/}) when present,
     * else the one folder whose name normalises to the platform ({@code native/linux-amd64/}).
     */
    static JarLibraries scan(Path jar, NativePlatform platform) throws Refusal {
        Map<String, Map<String, String>> folders = new TreeMap<>();
        Refusal firstUnsafe = null;
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Set<String> links = ZipLinks.of(jar);
            for (Enumeration<? extends ZipEntry> all = zip.entries(); all.hasMoreElements(); ) {
                ZipEntry entry = all.nextElement();
                String name = entry.getName();
                if (!isNative(name)) {
                    continue;
                }
                String unsafe = unsafe(name);
                if (unsafe == null && links.contains(name)) {
                    unsafe = "is a symbolic link";
                }
                if (unsafe != null) {
                    // a file entry names the culprit better than the folder entries a tool wrote before it
                    if (firstUnsafe == null || (firstUnsafe.entry().endsWith("/") && !entry.isDirectory())) {
                        firstUnsafe = new Refusal("jar entry " + name + " " + unsafe, jar, name, null);
                    }
                    continue;
                }
                String[] parts = name.split("/", -1);
                if (entry.isDirectory() || parts.length != 3 || !platform.isLibraryFileName(parts[2])) {
                    continue;
                }
                folders.computeIfAbsent(parts[1], f -> new TreeMap<>()).put(parts[2], name);
            }
        } catch (IOException e) {
            throw new Refusal("cannot read jar " + jar.getFileName() + " (" + e.getMessage() + ")", jar, null, e);
        }
        if (firstUnsafe != null) {
            throw firstUnsafe;
        }
        String canonical = platform.folderName();
        if (folders.containsKey(canonical)) {
            return new JarLibraries(jar, ROOT + canonical + "/", folders.get(canonical));
        }
        List<String> aliases = new ArrayList<>();
        for (String candidate : folders.keySet()) {
            if (candidate.indexOf('-') > 0 && NativePlatform.parse(candidate).equals(platform)) {
                aliases.add(candidate);
            }
        }
        if (aliases.size() > 1) {
            throw new Refusal("jar folders " + ROOT + String.join("/ and " + ROOT, aliases)
                    + "/ both hold libraries for " + canonical, jar, ROOT + aliases.get(0) + "/", null);
        }
        if (aliases.isEmpty()) {
            return new JarLibraries(jar, null, Map.of());
        }
        return new JarLibraries(jar, ROOT + aliases.get(0) + "/", folders.get(aliases.get(0)));
    }

    /** An entry under {@code native/}, however spelled ({@code /native/}, {@code ./native/}, backslashes). */
    private static boolean isNative(String name) {
        String n = name.replace('\\', '/');
        while (n.startsWith("/") || n.startsWith("./")) {
            n = n.startsWith("/") ? n.substring(1) : n.substring(2);
        }
        return n.startsWith(ROOT);
    }

    /** Why an entry name is unsafe to extract, worded to follow the name, or {@code null}. */
    static String unsafe(String name) {
        if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
            return "has an absolute name";
        }
        if (name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
            return "has a backslash or NUL in its name";
        }
        String[] parts = name.split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            boolean last = i == parts.length - 1;
            if (parts[i].equals("..")) {
                return "escapes the native folder (\"..\")";
            }
            if (parts[i].equals(".") || (parts[i].isEmpty() && !last)) {
                return "has an empty or \".\" path segment";
            }
        }
        return null;
    }

    /** The platform folder used, {@code native/linux-x86_64/}, or {@code null} when the jar has none. */
    String folder() {
        return folder;
    }

    /** Library file name to jar entry name, sorted by file name; empty when the jar has none for the platform. */
    Map<String, String> entries() {
        return Collections.unmodifiableMap(entries);
    }

    /** The jar entry of library file {@code fileName} in the platform folder, or {@code null}. */
    String entry(String fileName) {
        return entries.get(fileName);
    }

    /** Opens the jar and passes the entry's bytes to {@code reader}; the jar is closed when it returns. */
    <T> T read(String entryName, EntryReader<T> reader) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(entryName);
            if (entry == null) {
                throw new IOException("entry " + entryName + " vanished from " + jar);
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return reader.read(in);
            }
        }
    }

    /** Reads the first bytes of every library, in file name order, without extracting them. */
    Map<String, LibraryHeader> headers() throws IOException {
        Map<String, LibraryHeader> headers = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (String entryName : entries.values()) {
                ZipEntry entry = zip.getEntry(entryName);
                if (entry == null) {
                    throw new IOException("entry " + entryName + " vanished from " + jar);
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    headers.put(entryName, LibraryHeader.read(in));
                }
            }
        }
        return headers;
    }

    /** Consumes an entry's content. */
    interface EntryReader<T> {
        T read(InputStream in) throws IOException;
    }
}
