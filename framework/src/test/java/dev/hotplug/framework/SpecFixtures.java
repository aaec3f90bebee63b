package dev.hotplug.framework;

import dev.hotplug.testkit.ModuleJarBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;

/** Compiles classes once and reuses their bytes in many jars, so most test jars need no compiler run. */
final class SpecFixtures {

    private SpecFixtures() {
    }

    /** The class files (entry name to bytes) that {@code builder} compiles. */
    static Map<String, byte[]> classes(ModuleJarBuilder builder) {
        Map<String, byte[]> classes = new TreeMap<>();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(builder.toBytes()))) {
            for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                if (entry.getName().endsWith(".class")) {
                    classes.put(entry.getName(), in.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return classes;
    }

    /** Adds {@code classes} to {@code builder} as entries. */
    static ModuleJarBuilder with(ModuleJarBuilder builder, Map<String, byte[]> classes) {
        classes.forEach(builder::resource);
        return builder;
    }
}
