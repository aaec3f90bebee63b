package dev.hotplug.nativelib;

import dev.hotplug.api.ModuleContext;
import dev.hotplug.isolation.LoaderSpec;
import dev.hotplug.isolation.ModuleClassLoader;
import dev.hotplug.testkit.ModuleJarBuilder;
import dev.hotplug.testkit.NativeLibraryBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Real gcc libraries, real module jars and real module classloaders for the native tests. */
final class Fixtures {

    static final String MODULE = "native-counter";
    static final String CLASS = "demo.Native";
    static final String FOLDER = "native/" + NativePlatform.current().folderName() + "/";

    private static final Map<String, byte[]> LIBRARIES = new ConcurrentHashMap<>();

    private Fixtures() {
    }

    /** Module code: {@code demo.Native.value()} backed by library {@code library}. */
    static String javaSource(String library) {
        return "package demo;\n"
                + "public final class Native {\n"
                + "    static { System.loadLibrary(\"" + library + "\"); }\n"
                + "    private Native() { }\n"
                + "    public static native int value();\n"
                + "}\n";
    }

    /** libfoo-style JNI library whose {@code demo.Native.value()} returns {@code value}; built once per value, a fresh array per call. */
    static byte[] jniLibrary(int value) {
        return LIBRARIES.computeIfAbsent("jni-" + value, k -> NativeLibraryBuilder.library("foo")
                .source(NativeLibraryBuilder.jniStaticMethod(CLASS, "value", "jint", "return " + value + ";"))
                .toBytes()).clone();
    }

    /**
     * A libbar.so returning {@code bar} and a libfoo.so linked against it through {@code $ORIGIN}, whose
     * {@code value()} returns {@code 10 * foo + bar()}, built in {@code folder}.
     */
    static void siblingPair(Path folder, int foo, int bar) {
        siblingPair(folder, foo, bar, "-Wl,-rpath,$ORIGIN");
    }

    /** As {@link #siblingPair(Path, int, int)}, linking libfoo.so with {@code linkFlags} instead of the rpath. */
    static void siblingPair(Path folder, int foo, int bar, String... linkFlags) {
        NativeLibraryBuilder.library("bar").source("int bar(void) { return " + bar + "; }\n").buildIn(folder);
        NativeLibraryBuilder.library("foo")
                .source("int bar(void);\n" + NativeLibraryBuilder.jniStaticMethod(CLASS, "value", "jint",
                        "return " + (10 * foo) + " + bar();"))
                .flags("-L.", "-lbar")
                .flags(linkFlags)
                .buildIn(folder);
    }

    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A module jar with {@code demo.Native} and the given entries ({@code native/...} to bytes). */
    static Path moduleJar(Path dir, String version, Map<String, byte[]> entries) {
        ModuleJarBuilder builder = ModuleJarBuilder.module(MODULE, version).source(CLASS, javaSource("foo"));
        entries.forEach(builder::resource);
        return builder.writeTo(dir);
    }

    static NativeNamespace namespace(String version, long generation, Path jar, Path loose, Path work) {
        return NativeNamespace.builder(MODULE, version, generation).jar(jar).looseFolder(loose)
                .workDirectory(work).build();
    }

    static ModuleClassLoader loader(NativeNamespace natives, String version, long generation, Path jar, Path work) {
        return new ModuleClassLoader(LoaderSpec.builder(MODULE, version, generation).jar(jar)
                .classPath(List.of(".")).workDirectory(work).apiLoader(ModuleContext.class.getClassLoader())
                .libraries(natives).build());
    }

    /** Calls {@code demo.Native.value()} in {@code loader}, loading its library. */
    static int value(ClassLoader loader) {
        try {
            return (int) loader.loadClass(CLASS).getMethod("value").invoke(null);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            if (e.getCause() instanceof Error) {
                throw (Error) e.getCause();
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Regular files under {@code root}, recursively. A release's cleaner may delete them while they are listed: what
     * vanishes during the walk is left out, as it would be from a listing a moment later.
     */
    static List<Path> filesUnder(Path root) {
        List<Path> files = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (attributes.isRegularFile()) {
                        files.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /**
     * Runs GC rounds until {@code condition} holds, failing with {@code state} after {@code timeout}. Pauses
     * 20 ms between rounds so cleaner threads get to run.
     */
    static void awaitWithGc(Duration timeout, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within " + timeout + ": " + state.get());
            }
            System.gc();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
