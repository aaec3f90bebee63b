package dev.hotplug.state;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hotplug.testkit.ModuleJarBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A codec must not pin its generation: once released or dropped, the generation's loader can be collected. */
class StateCodecReleaseTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);

    private static final String SOURCE = """
            package com.leak;
            import java.util.*;
            public final class Data {
                public record Part(String name, java.time.Instant at, Optional<Integer> size) {
                }
                private final Map<String, List<Part>> parts;
                private final Set<String> tags;
                public Data(Map<String, List<Part>> parts, Set<String> tags) {
                    this.parts = parts;
                    this.tags = tags;
                }
                public static Data sample() {
                    return new Data(Map.of("p", List.of(new Part("a", java.time.Instant.EPOCH, Optional.of(3)))), Set.of("t"));
                }
                public Map<String, List<Part>> parts() {
                    return parts;
                }
            }
            """;

    @Test
    void aReleasedCodecLetsTheLoaderGoEvenWhileStillReferenced(@TempDir Path dir) throws Exception {
        Path jar = ModuleJarBuilder.module("leak", "1.0.0").source("com.leak.Data", SOURCE).writeTo(dir);
        ReferenceQueue<ClassLoader> queue = new ReferenceQueue<>();
        AtomicReference<StateCodec> codec = new AtomicReference<>();
        WeakReference<ClassLoader> loader = exercise(jar, queue, codec);

        // Control: the unreleased codec really holds the loader, so the check below can see a pin.
        assertFalse(TestJars.collected(queue, Duration.ofMillis(300)), "an unreleased codec keeps its generation");

        codec.get().release();
        assertTrue(TestJars.collected(queue, LIMIT), "the loader was collected after release()");
        assertEquals(null, loader.get());
    }

    @Test
    void aDroppedCodecLeavesNothingInJvmWideCaches(@TempDir Path dir) throws Exception {
        Path jar = ModuleJarBuilder.module("leak", "1.0.0").source("com.leak.Data", SOURCE).writeTo(dir);
        ReferenceQueue<ClassLoader> queue = new ReferenceQueue<>();
        AtomicReference<StateCodec> codec = new AtomicReference<>();
        WeakReference<ClassLoader> loader = exercise(jar, queue, codec);

        codec.set(null);
        assertTrue(TestJars.collected(queue, LIMIT), "the loader was collected once its codec was dropped");
        assertEquals(null, loader.get());
    }

    /** Encodes and decodes the module's classes through a codec of their own loader; keeps only the codec. */
    private static WeakReference<ClassLoader> exercise(Path jar, ReferenceQueue<ClassLoader> queue,
                                                       AtomicReference<StateCodec> keep) throws Exception {
        URLClassLoader loader = TestJars.loader(jar);
        StateCodec codec = StateCodec.forClassLoader("leak", "1.0.0", loader);
        Class<?> type = loader.loadClass("com.leak.Data");
        JsonNode tree = codec.encode(type.getMethod("sample").invoke(null));
        Object back = codec.decode(tree, type);
        Object parts = type.getMethod("parts").invoke(back);
        assertEquals("{p=[Part[name=a, at=1970-01-01T00:00:00Z, size=Optional[3]]]}", parts.toString());
        assertEquals(tree, codec.encode(back));
        TestJars.close(loader);
        keep.set(codec);
        return new WeakReference<>(loader, queue);
    }
}
