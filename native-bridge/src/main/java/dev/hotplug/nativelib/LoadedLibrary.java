package dev.hotplug.nativelib;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One library a module generation loaded: what it asked for, where it came from and the generation's own copy.
 * Immutable.
 *
 * @param name   the name given to {@code System.loadLibrary} ({@code foo}), or for a sibling copied because
 *               another library needs it, the file name it is needed by ({@code libbar.so})
 * @param source the jar entry ({@code native/linux-x86_64/libfoo.so}), or the loose file's absolute path in
 *               the watched folder
 * @param copy   the absolute path of this generation's copy, the path the JVM maps
 * @param loose  {@code true} when the source is a loose file in the watched folder
 */
public record LoadedLibrary(String name, String source, Path copy, boolean loose) {

    /** Checks that no component is {@code null}. */
    public LoadedLibrary {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(copy, "copy");
    }
}
