package dev.hotplug.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds a real shared library from C source with {@code gcc}, the way native tests need them: JNI libraries
 * for module classes, siblings linked through {@code $ORIGIN}. Fails loudly when gcc is missing, never skips.
 * Not thread-safe; one builder per library.
 *
 * <pre>{@code
 * Path lib = NativeLibraryBuilder.library("foo")
 *     .source(NativeLibraryBuilder.jniStaticMethod("com.acme.Foo", "value", "jint", "return 42;"))
 *     .flags("-L.", "-lbar", "-Wl,-rpath,$ORIGIN")
 *     .buildIn(dir);                      // dir/libfoo.so
 * }</pre>
 */
public final class NativeLibraryBuilder {

    private static final long GCC_TIMEOUT_SECONDS = 120;

    private final Map<String, String> sources = new LinkedHashMap<>();
    private final List<String> flags = new ArrayList<>();
    private String fileName;

    private NativeLibraryBuilder(String fileName) {
        this.fileName = fileName;
    }

    /** A builder for library {@code name}, written as {@code System.mapLibraryName(name)} ({@code libname.so}). */
    public static NativeLibraryBuilder library(String name) {
        return new NativeLibraryBuilder(System.mapLibraryName(name));
    }

    /** Adds a C compilation unit (named {@code unitN.c}). */
    public NativeLibraryBuilder source(String cCode) {
        return source("unit" + sources.size() + ".c", cCode);
    }

    /** Adds a C compilation unit under {@code fileName}. */
    public NativeLibraryBuilder source(String fileName, String cCode) {
        sources.put(fileName, cCode);
        return this;
    }

    /**
     * Adds gcc arguments placed after the sources, for example {@code "-L.", "-lbar", "-Wl,-rpath,$ORIGIN"}. They
     * reach gcc without a shell, so write {@code $ORIGIN} unquoted; gcc runs in the output folder, so {@code -L.}
     * finds libraries built there before.
     */
    public NativeLibraryBuilder flags(String... extra) {
        flags.addAll(List.of(extra));
        return this;
    }

    /** Overrides the output file name (default {@code System.mapLibraryName(name)}). */
    public NativeLibraryBuilder fileName(String name) {
        this.fileName = name;
        return this;
    }

    /**
     * Compiles the sources into {@code directory/fileName} with {@code gcc -shared -fPIC} and the JDK's JNI
     * headers, and returns the library's path. Blocks until gcc ends.
     *
     * @throws IllegalStateException when gcc is missing or fails (with its output)
     */
    public Path buildIn(Path directory) {
        if (sources.isEmpty()) {
            throw new IllegalStateException("Cannot build native library " + fileName + ": no C source given");
        }
        return inTempFolder("hotplug-gcc-", sourceDir -> {
            Files.createDirectories(directory);
            Path include = javaHome().resolve("include");
            List<String> command = new ArrayList<>(List.of("gcc", "-shared", "-fPIC", "-I" + include,
                    "-I" + include.resolve(jniPlatformFolder()),
                    "-o", directory.toAbsolutePath().resolve(fileName).toString()));
            for (Map.Entry<String, String> unit : sources.entrySet()) {
                Path file = sourceDir.resolve(unit.getKey());
                Files.writeString(file, unit.getValue(), StandardCharsets.UTF_8);
                command.add(file.toString());
            }
            command.addAll(flags);
            run(command, directory);
            return directory.resolve(fileName);
        });
    }

    /** Builds the library in a temporary folder and returns its bytes (for a jar entry). */
    public byte[] toBytes() {
        return inTempFolder("hotplug-lib-", dir -> Files.readAllBytes(buildIn(dir)));
    }

    private interface InFolder<T> {
        T apply(Path folder) throws IOException;
    }

    private <T> T inTempFolder(String prefix, InFolder<T> work) {
        Path folder;
        try {
            folder = Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot build native library " + fileName + ": " + e.getMessage(), e);
        }
        RuntimeException failure = null;
        try {
            return work.apply(folder);
        } catch (IOException e) {
            failure = new UncheckedIOException("Cannot build native library " + fileName + ": " + e.getMessage(), e);
            throw failure;
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            try {
                deleteTree(folder);
            } catch (UncheckedIOException e) {
                if (failure == null) {
                    throw e;
                }
                failure.addSuppressed(e);
            }
        }
    }

    /**
     * Returns a copy of {@code library} with the NUL-padded ASCII string {@code placeholder} (which must occur exactly
     * once, e.g. from {@code static const char ANSWER[] = "PLACEHOLDER...";}) replaced by {@code value}: one gcc run
     * gives any number of libraries that differ in one string, as versions of a test module need.
     *
     * @throws IllegalArgumentException when {@code value} is not shorter than the placeholder, or the placeholder is
     *                                  missing or occurs twice
     */
    public static byte[] withString(byte[] library, String placeholder, String value) {
        byte[] marker = placeholder.getBytes(StandardCharsets.US_ASCII);
        byte[] text = value.getBytes(StandardCharsets.US_ASCII);
        if (text.length >= marker.length) {
            throw new IllegalArgumentException("Cannot patch library: \"" + value + "\" is not shorter than the "
                    + marker.length + "-character placeholder");
        }
        int at = indexOf(library, marker, 0);
        if (at < 0 || indexOf(library, marker, at + 1) >= 0) {
            throw new IllegalArgumentException("Cannot patch library: the placeholder occurs "
                    + (at < 0 ? "nowhere" : "more than once"));
        }
        byte[] patched = library.clone();
        Arrays.fill(patched, at, at + marker.length, (byte) 0);
        System.arraycopy(text, 0, patched, at, text.length);
        return patched;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * C source of a JNI implementation for {@code static native <type> methodName()} of class {@code className}
     * (fully qualified, nested classes with {@code $}); {@code jniType} is the C return type ({@code jint}) and
     * {@code body} the C statements. Extra C (declarations of sibling functions) may precede it in the same unit.
     */
    public static String jniStaticMethod(String className, String methodName, String jniType, String body) {
        return "#include <jni.h>\n"
                + "JNIEXPORT " + jniType + " JNICALL " + jniFunctionName(className, methodName)
                + "(JNIEnv *env, jclass cls) {\n    (void) env; (void) cls;\n    " + body + "\n}\n";
    }

    /** The JNI symbol for a native method without overloading, {@code Java_<mangled class>_<mangled method>}. */
    public static String jniFunctionName(String className, String methodName) {
        return "Java_" + mangle(className.replace('.', '/')) + "_" + mangle(methodName);
    }

    private static String mangle(String name) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/') {
                out.append('_');
            } else if (c == '_') {
                out.append("_1");
            } else if (c == ';') {
                out.append("_2");
            } else if (c == '[') {
                out.append("_3");
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                out.append(c);
            } else {
                out.append(String.format("_0%04x", (int) c));
            }
        }
        return out.toString();
    }

    private static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    private static String jniPlatformFolder() {
        String os = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT);
        if (os.startsWith("mac")) {
            return "darwin";
        }
        if (os.startsWith("windows")) {
            return "win32";
        }
        return os.replace(' ', '_');
    }

    private void run(List<String> command, Path workDir) throws IOException {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("gcc not found: native tests need gcc (" + e.getMessage() + ")", e);
        }
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!process.waitFor(GCC_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("Cannot build native library " + fileName + ": gcc ran past "
                        + GCC_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Cannot build native library " + fileName + ": interrupted", e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("Cannot build native library " + fileName + ": gcc exited with "
                    + process.exitValue() + "\n" + String.join(" ", command) + "\n" + output);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete temporary folder " + root + ": " + e.getMessage(), e);
        }
    }
}
