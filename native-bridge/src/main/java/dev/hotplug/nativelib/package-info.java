/**
 * Native libraries per module generation. A module loads libraries the ordinary way,
 * {@code System.loadLibrary("foo")}; its generation's classloader asks a {@link dev.hotplug.nativelib.NativeNamespace}
 * for the file, which looks in the jar's {@code native/<os>-<arch>/} folder first
 * ({@link dev.hotplug.nativelib.NativePlatform} names the folder; override with
 * {@code -Dhotplug.native.platform=<os>-<arch>}), then for a loose {@code libfoo.so} in the watched folder.
 *
 * <p>Each generation gets its own copies, so two generations never share a path (the JVM refuses one path in two
 * classloaders) and, on Linux, never share a name glibc could match: copies are named
 * {@code _<token>_<tail>} (same length as the original) and their {@code DT_NEEDED} and {@code DT_SONAME} are
 * rewritten to match, so {@code libfoo.so} linked with {@code -Wl,-rpath,$ORIGIN} against a sibling
 * {@code libbar.so} binds to its own generation's copy of {@code libbar.so}. Only siblings in the same folder
 * reached through {@code $ORIGIN} (a {@code DT_RUNPATH} or {@code DT_RPATH} entry {@code $ORIGIN}) are
 * copied. A file name too short to hold the token (under about 7 characters) keeps its name, and with it the risk
 * of being matched across generations. On macOS and Windows copies keep their names (the generation folder keeps
 * the path unique) and no sibling is copied.
 *
 * <p>Loose libraries may be symbolic links as long as the real file lies inside the watched folder. Libraries in
 * deeper jar folders ({@code native/linux-x86_64/sub/}) are ignored. A jar folder named by an alias
 * ({@code native/linux-amd64/}) is used when the canonical one is absent, and refused when two aliases compete.
 * JDK 22's FFM {@code SymbolLookup.libraryLookup} is not handled: the project compiles to Java 17.
 */
package dev.hotplug.nativelib;
