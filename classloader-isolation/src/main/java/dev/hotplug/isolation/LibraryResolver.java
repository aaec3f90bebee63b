package dev.hotplug.isolation;

import java.nio.file.Path;

/**
 * Hands a module generation's classloader the native library to load for {@code System.loadLibrary(name)}.
 * Implementations give each generation its own copy, so two generations never share a library path.
 * Called from {@link ModuleClassLoader#findLibrary(String)}; must be thread-safe.
 */
@FunctionalInterface
public interface LibraryResolver {

    /** A resolver that finds nothing: the JVM then reports the library as missing. */
    LibraryResolver NONE = name -> null;

    /**
     * Returns the absolute path of this generation's copy of library {@code name} (as passed to
     * {@code System.loadLibrary}, without prefix or suffix), or {@code null} when the module has none.
     * May block while the library and its siblings are copied.
     *
     * @throws IsolationException when the library exists but cannot be used (wrong platform, copy failed)
     */
    Path resolve(String name);
}
