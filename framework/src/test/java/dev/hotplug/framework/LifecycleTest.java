package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Counter;
import dev.hotplug.framework.fixture.Journal;
import dev.hotplug.framework.fixture.LoaderProbe;
import dev.hotplug.state.StateRecord;
import dev.hotplug.testkit.ModuleJarBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SPEC "Lifecycle": the order of the lifecycle methods, what each receives, and state across reloads and restarts. */
class LifecycleTest {

    @TempDir
    Path dir;

    @BeforeEach
    void clear() {
        Journal.clear();
        LoaderProbe.clear();
    }

    @Test
    void undeployRunsStartupLoadUnloadShutdownInOrder() {
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(TestModules.counter("1.0.0").writeTo(dir.resolve("in")));
            hotplug.service(Counter.class).increment();
            hotplug.undeploy("counter");

            assertEquals(List.of("startup 1.0.0", "load 1.0.0 START - #1", "unload 1.0.0 1", "shutdown 1.0.0"),
                    Journal.lines());
            assertTrue(hotplug.module("counter").isEmpty(), "an undeployed module is gone from modules()");
            assertEquals(1, hotplug.savedState("counter").orElseThrow().state().get("count").asLong(),
                    "undeploy writes the state before @Shutdown");
        }
    }

    @Test
    void deployingTheSameBytesAgainRunsNothingWhileNewBytesReload() {
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            Path first = TestModules.counter("1.0.0").writeTo(dir.resolve("in"));
            hotplug.deploy(first);
            hotplug.deploy(first);

            assertEquals(List.of("startup 1.0.0", "load 1.0.0 START - #1"), Journal.lines(),
                    "a jar whose content serves already is not loaded again");
            hotplug.deploy(TestModules.counter("2.0.0").writeTo(dir.resolve("next")));
            assertEquals("2.0.0", hotplug.module("counter").orElseThrow().version(), "new content reloads");
        }
    }

    @Test
    void closeUnloadsWritesStateThenShutsDownEveryModule() {
        Path modules = dir.resolve("modules");
        TestModules.counter("1.0.0").writeTo(modules);
        TestModules.write(TestModules.module("plain", "1.0.0", "com.acme.plain.Plain", PLAIN), "plain-1.0.0.jar",
                "plain|" + PLAIN, modules);
        Hotplug hotplug = TestModules.hotplug(dir).build();
        hotplug.start();
        hotplug.service(Counter.class).increment();
        hotplug.service(Counter.class).increment();
        hotplug.close();

        List<String> lines = Journal.lines();
        assertOrdered(lines, "startup 1.0.0", "load 1.0.0 START - #1", "unload 1.0.0 2", "shutdown 1.0.0");
        assertOrdered(lines, "plain startup", "plain load START", "plain unload", "plain shutdown");
        assertEquals(2, hotplug.savedState("counter").orElseThrow().state().get("count").asLong());
        hotplug.close();
        assertEquals(lines, Journal.lines(), "close() is idempotent: nothing runs twice");
    }

    @Test
    void startupRunsOncePerNameAcrossReloadsAndItsResourcesStay() {
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            Path in = dir.resolve("in");
            for (String version : List.of("1.0.0", "2.0.0", "3.0.0")) {
                ModuleInfo info = hotplug.deploy(TestModules.write(
                        TestModules.module("plain", version, "com.acme.plain.Plain", PLAIN),
                        "plain-" + version + ".jar", "plain|" + version + "|" + PLAIN, in));
                assertEquals(ModuleStatus.ACTIVE, info.status(), info.lastError());
                assertEquals(version, info.version());
            }
            assertEquals(List.of("plain startup", "plain load START", "plain unload", "plain load RELOAD",
                    "plain unload", "plain load RELOAD", "plain resource from 1.0.0"), Journal.lines().stream()
                    .filter(l -> !l.startsWith("plain generation")).toList());
            assertEquals(List.of("plain generation 1", "plain generation 2", "plain generation 3"),
                    Journal.lines().stream().filter(l -> l.startsWith("plain generation")).toList());
            assertEquals(2, hotplug.module("plain").orElseThrow().reloads());
        }
    }

    @Test
    void restartOnTheSameStateFolderLoadsWithRestoreAndTheSavedState() {
        TestModules.counter("1.0.0").writeTo(dir.resolve("modules"));
        try (Hotplug first = TestModules.hotplug(dir).build()) {
            first.start();
            for (int i = 0; i < 5; i++) {
                first.service(Counter.class).increment();
            }
        }
        StateRecord written;
        Journal.clear();
        try (Hotplug second = TestModules.hotplug(dir).build()) {
            written = second.savedState("counter").orElseThrow();
            second.start();
            assertEquals(List.of("startup 1.0.0", "load 1.0.0 RESTORE 5 #1"), Journal.lines());
            assertEquals(6, second.service(Counter.class).increment(), "the count goes on from the saved state");
        }
        assertEquals("1.0.0", written.moduleVersion());
        assertEquals(1, written.stateVersion());
    }

    @Test
    void aRestartWhoseFolderHoldsARefusedVersionComesBackOnTheLastThatRan() {
        Path jar = TestModules.counter("1.0.0").writeTo(dir.resolve("modules"));
        try (Hotplug first = TestModules.hotplug(dir).build()) {
            first.start();
            first.service(Counter.class).increment();
        }
        ModuleJarBuilder.module("counter", "2.0.0").source("com.acme.counter.NotAModule",
                "package com.acme.counter; public class NotAModule { }").fileName(jar.getFileName().toString())
                .writeTo(jar.getParent());
        Journal.clear();
        try (Hotplug second = TestModules.hotplug(dir).build()) {
            second.start();

            ModuleInfo info = second.module("counter").orElseThrow();
            assertEquals(ModuleStatus.ACTIVE, info.status());
            assertEquals("1.0.0", info.version());
            assertEquals(jar, info.file(), "the folder's jar stays its file: fixing it reloads the module");
            assertTrue(info.lastError().contains(jar.getFileName().toString())
                    && info.lastError().endsWith("; running 1.0.0, the last version that ran"), info.lastError());
            assertEquals(List.of("startup 1.0.0", "load 1.0.0 RESTORE 1 #1"), Journal.lines());
            assertEquals(2, second.service(Counter.class).increment());
        }
    }

    @Test
    void aRestartWhoseFolderHoldsATruncatedJarComesBackOnTheLastVersionDeployedFromThatFile() throws Exception {
        Path jar = TestModules.counter("1.0.0").writeTo(dir.resolve("modules"));
        try (Hotplug first = TestModules.hotplug(dir).build()) {
            first.start();
            first.service(Counter.class).increment();
        }
        byte[] whole = Files.readAllBytes(jar);
        Files.write(jar, java.util.Arrays.copyOf(whole, whole.length / 2)); // a copy cut short by a crash
        try (Hotplug second = TestModules.hotplug(dir).build()) {
            second.start();

            ModuleInfo info = second.module("counter").orElseThrow();
            assertEquals(ModuleStatus.ACTIVE, info.status());
            assertEquals("1.0.0", info.version());
            assertEquals(jar, info.file());
            assertTrue(info.lastError().startsWith("Cannot read module jar " + jar.getFileName())
                    && info.lastError().endsWith("; running 1.0.0, the last version that ran"), info.lastError());
            assertEquals(2, second.service(Counter.class).increment());
        }
    }

    @Test
    void stateFieldsAreCarriedWhenUnloadReturnsNothingOrIsAbsent() {
        Hotplug hotplug = TestModules.hotplug(dir).build();
        try (hotplug) {
            hotplug.start();
            Path in = dir.resolve("in");
            hotplug.deploy(TestModules.write(fields("1.0.0", VOID_UNLOAD), "fields-1.0.0.jar", "fields1", in));
            hotplug.deploy(TestModules.write(fields("2.0.0", VOID_UNLOAD), "fields-2.0.0.jar", "fields2", in));
            hotplug.deploy(TestModules.write(fields("3.0.0", ""), "fields-3.0.0.jar", "fields3", in));
            hotplug.deploy(TestModules.write(fields("4.0.0", ""), "fields-4.0.0.jar", "fields4", in));
            assertEquals(List.of(
                    "fields 1.0.0 START count=1 seen=[1.0.0]",
                    "fields void unload",
                    "fields 2.0.0 RELOAD count=2 seen=[1.0.0, 2.0.0]",
                    "fields void unload",
                    "fields 3.0.0 RELOAD count=3 seen=[1.0.0, 2.0.0, 3.0.0]",
                    "fields 4.0.0 RELOAD count=4 seen=[1.0.0, 2.0.0, 3.0.0, 4.0.0]"), Journal.lines());
            assertEquals(3, hotplug.savedState("fields").orElseThrow().state().get("count").asLong(),
                    "3.0.0 has no @Unload: its @State fields were written when 4.0.0 replaced it");
        }
        StateRecord last = hotplug.savedState("fields").orElseThrow();
        assertEquals(4, last.state().get("count").asLong(), "close() writes the fields of 4.0.0");
        assertEquals(4, last.state().get("seen").size());
    }

    private static void assertOrdered(List<String> lines, String... expected) {
        int at = -1;
        for (String line : expected) {
            int next = lines.indexOf(line);
            assertTrue(next > at, "expected " + List.of(expected) + " in this order within " + lines);
            at = next;
        }
    }

    private static dev.hotplug.testkit.ModuleJarBuilder fields(String version, String unload) {
        return TestModules.module("fields", version, "com.acme.fields.Fields", """
                package com.acme.fields;

                import dev.hotplug.api.*;
                import dev.hotplug.framework.fixture.Journal;
                import java.util.ArrayList;
                import java.util.List;

                @HotplugModule
                public class Fields {
                    @State long count;
                    @State List<String> seen = new ArrayList<>();

                    @Load
                    void load(ModuleContext context, LoadReason reason) {
                        count++;
                        seen.add(context.version());
                        Journal.log("fields " + context.version() + " " + reason + " count=" + count + " seen=" + seen);
                    }

                    %s
                }
                """.formatted(unload));
    }

    private static final String VOID_UNLOAD = """
            @Unload
            void unload() {
                Journal.log("fields void unload");
            }
            """;

    /** Journals each lifecycle call; @Startup keeps a resource that later generations read. */
    static final String PLAIN = """
            package com.acme.plain;

            import dev.hotplug.api.*;
            import dev.hotplug.framework.fixture.Journal;

            @HotplugModule
            public class Plain {
                @Startup
                void startup(ModuleContext context) {
                    context.resources().put("since", context.version());
                    Journal.log("plain startup");
                }

                @Load
                void load(ModuleContext context, LoadReason reason) {
                    Journal.log("plain load " + reason);
                    Journal.log("plain generation " + context.generation());
                    if (context.version().equals("3.0.0")) {
                        Journal.log("plain resource from " + context.resources().get("since"));
                    }
                }

                @Unload
                void unload() {
                    Journal.log("plain unload");
                }

                @Shutdown
                void shutdown() {
                    Journal.log("plain shutdown");
                }
            }
            """;
}
