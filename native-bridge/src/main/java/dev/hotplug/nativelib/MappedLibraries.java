package dev.hotplug.nativelib;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What files the process has mapped, read from Linux's {@code /proc/self/maps}: the check that a released
 * generation's library copies are really gone (tests, the {@code leaks} command, soak runs). Stateless and
 * thread-safe; each call reads the maps afresh.
 */
public final class MappedLibraries {

    private static final Path MAPS = Path.of("/proc/self/maps");
    private static final String DELETED = " (deleted)";

    private MappedLibraries() {
    }

    /** Whether this system exposes {@code /proc/self/maps} (Linux); when not, {@link #mappedUnder} throws. */
    public static boolean supported() {
        return Files.isReadable(MAPS);
    }

    /**
     * The distinct files mapped into this process whose path lies under {@code folder} (as given, or after
     * resolving its links when it still exists), sorted; a file deleted while mapped is listed under its former
     * path. Blocks briefly to read the maps.
     *
     * @throws UnsupportedOperationException when {@code /proc/self/maps} is missing (not Linux)
     * @throws UncheckedIOException when the maps cannot be read
     */
    public static List<Path> mappedUnder(Path folder) {
        if (!supported()) {
            throw new UnsupportedOperationException("Cannot list mapped libraries: " + MAPS + " is missing (not Linux)");
        }
        List<Path> roots = new ArrayList<>();
        roots.add(folder.toAbsolutePath().normalize());
        if (Files.exists(folder)) {
            try {
                roots.add(folder.toRealPath());
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot list mapped libraries under " + folder + ": " + e.getMessage(), e);
            }
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(MAPS, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list mapped libraries: cannot read " + MAPS + ": " + e.getMessage(), e);
        }
        TreeSet<Path> mapped = new TreeSet<>();
        for (String line : lines) {
            String file = pathOf(line);
            if (file == null) {
                continue;
            }
            Path path = Path.of(file);
            for (Path root : roots) {
                if (path.startsWith(root)) {
                    mapped.add(path);
                    break;
                }
            }
        }
        return List.copyOf(mapped);
    }

    /** The path column of a maps line (the sixth, which may hold spaces), or {@code null} for anonymous maps. */
    static String pathOf(String line) {
        int field = 0;
        int i = 0;
        while (i < line.length() && field < 5) {
            while (i < line.length() && line.charAt(i) != ' ') {
                i++;
            }
            while (i < line.length() && line.charAt(i) == ' ') {
                i++;
            }
            field++;
        }
        if (field < 5 || i >= line.length() || line.charAt(i) != '/') {
            return null;
        }
        String file = line.substring(i);
        if (file.endsWith(DELETED)) {
            file = file.substring(0, file.length() - DELETED.length());
        }
        // the kernel escapes a newline in a path as \012
        return file.replace("\\012", "\n");
    }
}
