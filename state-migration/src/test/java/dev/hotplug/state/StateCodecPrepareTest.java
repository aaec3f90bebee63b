package dev.hotplug.state;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Preparing a generation's state types introspects them without running any of their code. */
class StateCodecPrepareTest {

    private static final String SAVED = """
            package com.acme;
            public record Saved(long count) {
                static { System.setProperty("hotplug.test.saved.initialized", "yes"); }
            }
            """;

    @Test
    void prepareRunsNoModuleCodeAndTheTypesStillRoundTrip(@TempDir Path dir) throws Exception {
        System.clearProperty("hotplug.test.saved.initialized");
        URLClassLoader loader = TestJars.loader(TestJars.module("counter", "1.0.0").source("com.acme.Saved", SAVED)
                .writeTo(dir));
        try {
            Class<?> saved = Class.forName("com.acme.Saved", false, loader);
            StateCodec codec = StateCodec.forClassLoader("counter", "1.0.0", loader);

            codec.prepare(List.of(saved), List.of(saved));

            assertNull(System.getProperty("hotplug.test.saved.initialized"), "no static initializer ran");
            JsonNode tree = codec.encode(saved.getConstructor(long.class).newInstance(41L));
            assertEquals(41L, tree.get("count").asLong());
            Object back = codec.decode(tree, saved);
            assertEquals(41L, saved.getMethod("count").invoke(back));
            codec.release();
        } finally {
            TestJars.close(loader);
            System.clearProperty("hotplug.test.saved.initialized");
        }
    }
}
