package dev.hotplug.framework;

import java.nio.file.Path;
import java.util.List;

/**
 * Which names in the modules folder the watcher acts on: {@code *.jar} and loose native libraries ({@code *.so},
 * {@code *.so.N}, {@code *.dylib}, {@code *.dll}), except hidden files and the names that downloads, copies and
 * editors use while a file is unfinished. Stateless.
 */
final class WatchedNames {

    private static final List<String> UNFINISHED_SUFFIXES = List.of(".tmp", ".part", ".crdownload", ".swp", "~");

    private WatchedNames() {
    }

    /** Whether {@code path}'s file name is a module jar or a loose native library to act on. */
    static boolean isWatched(Path path) {
        return isModuleJar(path) || isNativeLibrary(path);
    }

    /** Whether {@code path}'s file name is a module jar to act on. */
    static boolean isModuleJar(Path path) {
        String lower = finishedName(path);
        return lower != null && lower.endsWith(".jar");
    }

    /** Whether {@code path}'s file name is a loose native library to act on: a change reloads the modules using it. */
    static boolean isNativeLibrary(Path path) {
        String lower = finishedName(path);
        return lower != null && (lower.endsWith(".so") || lower.matches(".*\\.so\\.[0-9][0-9.]*")
                || lower.endsWith(".dylib") || lower.endsWith(".dll"));
    }

    /** The lower-cased file name, or {@code null} when it is hidden or names an unfinished file. */
    private static String finishedName(Path path) {
        Path file = path.getFileName();
        if (file == null) {
            return null;
        }
        String name = file.toString();
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (name.startsWith(".") || name.startsWith("#")) {
            return null; // hidden files, editor locks (.#name) and autosaves (#name#)
        }
        for (String suffix : UNFINISHED_SUFFIXES) {
            if (lower.endsWith(suffix)) {
                return null;
            }
        }
        return lower;
    }
}
