package dev.hotplug.framework;

import dev.hotplug.nativelib.NativePlatform;
import dev.hotplug.testkit.ModuleJarBuilder;
import dev.hotplug.testkit.NativeLibraryBuilder;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JNI modules for the framework's native tests: one module class compiled once per library name, and gcc-built
 * libraries whose answer is a string in their read-only data, patched per version so that a hundred versions need
 * one gcc run. Jars are assembled around the compiled class with the version and library of the moment.
 */
final class NativeModules {

    /** The jar folder of this platform's libraries, {@code native/<os>-<arch>/}. */
    static final String FOLDER = "native/" + NativePlatform.current().folderName() + "/";
    /** The JNI class every native test module declares. */
    static final String CLASS = "com.acme.nat.NativeModule";

    /** The answer placeholder compiled into every library; a patched answer must not be longer. */
    private static final String MARKER = "HOTPLUG-ANSWER-PLACEHOLDER-0123456789abcdefghij";
    private static final Map<String, byte[]> CACHE = new ConcurrentHashMap<>();

    private NativeModules() {
    }

    /**
     * Module code: its {@code @Load} calls {@code System.loadLibrary(library)}, journals
     * "load NAME VERSION ANSWER" and, when {@code registers}, registers a {@code Relay} answering {@code ANSWER} from
     * native code (one module at a time may provide it).
     */
    static String source(String library, boolean registers) {
        return """
                package com.acme.nat;

                import dev.hotplug.api.*;
                import dev.hotplug.framework.fixture.Journal;
                import dev.hotplug.framework.fixture.Relay;

                @HotplugModule
                public class NativeModule implements Relay {
                    static native String answer();

                    @Load
                    void load(ModuleContext context) {
                        try {
                            System.loadLibrary("%s");
                        } catch (UnsatisfiedLinkError e) {
                            Journal.log("link error " + context.name() + " " + context.version() + ": " + e.getMessage());
                            throw e;
                        }
                        Journal.log("load " + context.name() + " " + context.version() + " " + answer());
                        if (%s) {
                            context.register(Relay.class, this);
                        }
                    }

                    public String call(String argument) {
                        return answer();
                    }
                }
                """.formatted(library, registers);
    }

    /** A JNI library (file name {@code System.mapLibraryName(library)}) whose {@code answer()} returns {@code answer}. */
    static byte[] library(String library, String answer) {
        byte[] template = CACHE.computeIfAbsent("lib|" + library, k -> NativeLibraryBuilder.library(library)
                .source("static const char ANSWER[] = \"" + MARKER + "\";\n"
                        + NativeLibraryBuilder.jniStaticMethod(CLASS, "answer", "jstring",
                        "return (*env)->NewStringUTF(env, ANSWER);"))
                .toBytes());
        return NativeLibraryBuilder.withString(template, MARKER, answer);
    }

    /**
     * A well-formed library named {@code library} without the module's JNI method: it loads, and the first call of
     * the method throws {@link UnsatisfiedLinkError}.
     */
    static byte[] libraryWithoutTheMethod(String library) {
        return CACHE.computeIfAbsent("hollow|" + library, k -> NativeLibraryBuilder.library(library)
                .source("int hotplug_unrelated(void) { return 1; }\n").toBytes());
    }

    /** {@code library} with its ELF header's machine patched to aarch64 (183): a library for another platform. */
    static byte[] forAarch64(byte[] library) {
        byte[] patched = library.clone();
        if (patched.length < 20 || patched[0] != 0x7f || patched[1] != 'E' || patched[2] != 'L' || patched[3] != 'F'
                || patched[5] != 1) {
            throw new IllegalStateException("not a little-endian ELF file");
        }
        patched[18] = (byte) 183; // e_machine, little-endian: EM_AARCH64
        patched[19] = 0;
        return patched;
    }

    /**
     * A module jar of {@code name} at {@code version} with the native module class for {@code library}, plus
     * {@code natives} (jar entry name to bytes); the module registers its {@code Relay}. The class compiles once.
     */
    static byte[] jar(String name, String version, String library, Map<String, byte[]> natives) {
        return jar(name, version, library, true, natives);
    }

    /** As {@link #jar(String, String, String, Map)}, registering the {@code Relay} only when {@code registers}. */
    static byte[] jar(String name, String version, String library, boolean registers, Map<String, byte[]> natives) {
        byte[] base = CACHE.computeIfAbsent("jar|" + library + "|" + registers,
                k -> TestModules.module("template", "0.0.0", CLASS, source(library, registers)).toBytes());
        return ModuleJarBuilder.restamp(base, Map.of("Hotplug-Module", name, "Hotplug-Version", version), natives);
    }

    /** A module jar whose {@code native/<platform>/} folder holds {@code library} answering {@code answer}. */
    static byte[] jniJar(String name, String version, String library, String answer) {
        return jniJar(name, version, library, answer, true);
    }

    /** As {@link #jniJar(String, String, String, String)}, registering the {@code Relay} only when {@code registers}. */
    static byte[] jniJar(String name, String version, String library, String answer, boolean registers) {
        return jar(name, version, library, registers,
                Map.of(FOLDER + System.mapLibraryName(library), library(library, answer)));
    }

    /** Writes {@code bytes} to {@code dir/fileName} by an atomic rename, as a finished copy arrives. */
    static Path write(Path dir, String fileName, byte[] bytes) {
        return TestModules.writeAtomically(dir, fileName, bytes);
    }
}
