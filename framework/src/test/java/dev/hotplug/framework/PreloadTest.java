package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Journal;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Staging defines and links the classes beside the lifecycle class ahead of the pause, and runs none of their code:
 * static initializers still run on first use, inside the module's own lifecycle.
 */
class PreloadTest {

    @TempDir
    Path dir;

    @BeforeEach
    void clear() {
        Journal.clear();
    }

    @Test
    void classesBesideTheLifecycleClassArePreloadedWithoutRunningTheirCode() {
        Path jar = module("1.0.0").writeTo(dir.resolve("in"));
        assertEquals(List.of("com.pre.Helper", "com.pre.sub.Deep"), ManifestReader.read(jar).preload(),
                "its package and below, not the lifecycle class itself, not other packages");

        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(jar);
            hotplug.deploy(module("1.0.1").writeTo(dir.resolve("in")));
            assertEquals(List.of("load 1.0.0", "load 1.0.1"), Journal.lines(),
                    "staging ran no static initializer of Helper, Deep or Outside");
            hotplug.deploy(module("1.0.2").onLoadUses("Helper.touch();").writeTo(dir.resolve("in")));
            assertEquals(List.of("load 1.0.0", "load 1.0.1", "helper initialized 1.0.2", "load 1.0.2"), Journal.lines(),
                    "first used inside @Load, initialized there");
        }
    }

    private static Builder module(String version) {
        return new Builder(version);
    }

    /** Module "pre" in {@code version}: a lifecycle class, two classes beside it that journal their initialization. */
    private static final class Builder {
        private final String version;
        private String onLoad = "";

        Builder(String version) {
            this.version = version;
        }

        Builder onLoadUses(String code) {
            onLoad = code;
            return this;
        }

        Path writeTo(Path folder) {
            return TestModules.module("pre", version,
                    "com.pre.Life", """
                            package com.pre;

                            import dev.hotplug.api.*;
                            import dev.hotplug.framework.fixture.Journal;

                            @HotplugModule
                            public class Life {
                                @Load
                                void load(ModuleContext context) {
                                    %s
                                    Journal.log("load " + context.version());
                                }
                            }
                            """.formatted(onLoad),
                    "com.pre.Helper", """
                            package com.pre;

                            public final class Helper {
                                static {
                                    dev.hotplug.framework.fixture.Journal.log("helper initialized %s");
                                }

                                public static void touch() {
                                }
                            }
                            """.formatted(version),
                    "com.pre.sub.Deep", """
                            package com.pre.sub;

                            public final class Deep {
                                static {
                                    dev.hotplug.framework.fixture.Journal.log("deep initialized");
                                }
                            }
                            """,
                    "com.other.Outside", """
                            package com.other;

                            public final class Outside {
                                static {
                                    dev.hotplug.framework.fixture.Journal.log("outside initialized");
                                }
                            }
                            """).writeTo(folder);
        }
    }
}
