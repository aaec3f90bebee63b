package dev.hotplug.benchmarks;

import dev.hotplug.benchmarks.fixture.Tally;
import dev.hotplug.nativelib.NativePlatform;
import dev.hotplug.testkit.ModuleJarBuilder;
import dev.hotplug.testkit.NativeLibraryBuilder;

import java.util.Map;

/**
 * The soak's module jars: one module class compiled once and one JNI library built once by gcc, then relabelled per
 * version (manifest version, and the answer string patched into the library's read-only data), so a thousand versions
 * cost one javac and one gcc run. A broken version's library answers {@code broken-<version>} and its {@code @Load}
 * throws after starting its thread. Not thread-safe.
 */
final class SoakModules {

    /** The module's name. */
    static final String NAME = "soak";
    /** The JNI library's name, as {@code System.loadLibrary} takes it. */
    static final String LIBRARY = "hotplugsoak";
    /** What a broken version's native answer starts with. */
    static final String BROKEN = "broken-";

    private static final String CLASS = "soak.SoakModule";
    private static final String MARKER = "HOTPLUG-SOAK-ANSWER-PLACEHOLDER-0123456789abcdef";

    private static final String MODULE = """
            package soak;

            import dev.hotplug.api.*;
            import dev.hotplug.benchmarks.fixture.Tally;
            import java.util.concurrent.atomic.AtomicLong;

            @HotplugModule
            public class SoakModule implements Tally {
                static native String answer();

                private final AtomicLong calls = new AtomicLong();
                private volatile long loads;
                private volatile String version;

                @Load
                void load(ModuleContext context, Saved saved, LoadReason reason) {
                    System.loadLibrary("%s");
                    String answer = answer();
                    // Started before a broken version throws: the framework must stop it on the rollback path too.
                    context.threadFactory().newThread(SoakModule::idle).start();
                    if (answer.startsWith("%s")) {
                        throw new IllegalStateException("version " + context.version() + " is broken on purpose");
                    }
                    if (!answer.equals(context.version())) {
                        throw new IllegalStateException("version " + context.version() + " loaded the library of " + answer);
                    }
                    if (saved != null) {
                        calls.set(saved.calls());
                        loads = saved.loads();
                    }
                    loads++;
                    version = context.version();
                    context.register(Tally.class, this);
                }

                @Unload
                Saved unload() {
                    return new Saved(calls.get(), loads);
                }

                private static void idle() {
                    try {
                        while (true) {
                            Thread.sleep(1000);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public String tick() {
                    calls.incrementAndGet();
                    return version + "=" + answer();
                }

                @Override
                public long count() {
                    return calls.get();
                }

                @Override
                public long loads() {
                    return loads;
                }

                @Override
                public String version() {
                    return version;
                }
            }
            """.formatted(LIBRARY, BROKEN);

    private static final String SAVED = """
            package soak;

            public record Saved(long calls, long loads) {
            }
            """;

    private final byte[] moduleTemplate;
    private final byte[] libraryTemplate;

    SoakModules() {
        moduleTemplate = ModuleJarBuilder.module(NAME, "0.0.0").compileClassPath(Fixtures.location(Tally.class))
                .source(CLASS, MODULE).source("soak.Saved", SAVED).toBytes();
        libraryTemplate = NativeLibraryBuilder.library(LIBRARY)
                .source("static const char ANSWER[] = \"" + MARKER + "\";\n"
                        + NativeLibraryBuilder.jniStaticMethod(CLASS, "answer", "jstring",
                        "return (*env)->NewStringUTF(env, ANSWER);"))
                .toBytes();
    }

    /** The module jar of {@code version}, whose {@code @Load} throws when {@code broken}. */
    byte[] jar(String version, boolean broken) {
        return ModuleJarBuilder.restamp(moduleTemplate, Map.of("Hotplug-Version", version),
                Map.of("native/" + NativePlatform.current().folderName() + "/" + System.mapLibraryName(LIBRARY),
                        library(broken ? BROKEN + version : version)));
    }

    private byte[] library(String answer) {
        return NativeLibraryBuilder.withString(libraryTemplate, MARKER, answer);
    }
}
