package dev.hotplug.framework;

import java.nio.file.Path;
import java.util.List;

/**
 * Which names in the modules folder the watcher acts on: {@code *.jar}, except hidden files and the names that
 * downloads, copies and editors use while a file is unfinished. Stateless.
 */
final class WatchedNames {

    private static final List<String> UNFINISHED_SUFFIXES = List.of(".tmp", ".part", ".crdownload", ".swp", "~");

    private WatchedNames() {
    }

    /** Whether {@code path}'s file name is a module jar to act on. */
    static boolean isModuleJar(Path path) {
        Path file = path.getFileName();
        if (file == null) {
            return false;
        }
        String name = file.toString();
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (name.startsWith(".") || name.startsWith("#")) {
            return false; // hidden files, editor locks (.#name) and autosaves (#name#)
        }
        for (String suffix : UNFINISHED_SUFFIXES) {
            if (lower.endsWith(suffix)) {
                return false;
            }
        }
        return lower.endsWith(".jar");
    }
}
