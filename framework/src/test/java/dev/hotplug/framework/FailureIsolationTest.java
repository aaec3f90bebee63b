package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Counter;
import dev.hotplug.framework.fixture.Journal;
import dev.hotplug.testkit.ModuleJarBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static dev.hotplug.framework.IsolationInFrameworkTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SPEC "Lifecycle": a lifecycle method that throws or runs past its time limit fails its own module and no other. */
class FailureIsolationTest {

    @TempDir
    Path dir;

    @BeforeEach
    void clear() {
        Journal.clear();
    }

    @Test
    void throwingAndHangingLoadsFailOnlyTheirModule() {
        Path modules = dir.resolve("modules");
        TestModules.counter("1.0.0").writeTo(modules);
        lifecycle("thrower", "@Load", "throw new IllegalStateException(\"thrower refuses to start\");").writeTo(modules);
        lifecycle("hang", "@Load", HANG).writeTo(modules);
        try (Hotplug hotplug = TestModules.hotplug(dir).lifecycleTimeout(Duration.ofMillis(500)).build()) {
            hotplug.start();

            ModuleInfo thrower = hotplug.module("thrower").orElseThrow();
            assertEquals(ModuleStatus.FAILED, thrower.status());
            assertOneLine(thrower.lastError(), "thrower", "@Load", "IllegalStateException", "thrower refuses to start");

            ModuleInfo hang = hotplug.module("hang").orElseThrow();
            assertEquals(ModuleStatus.FAILED, hang.status());
            assertOneLine(hang.lastError(), "hang", "@Load", "500 ms");
            Await.until("the hung @Load to be interrupted", () -> Journal.lines().contains("hang interrupted"));

            assertEquals(ModuleStatus.ACTIVE, hotplug.module("counter").orElseThrow().status());
            assertEquals(1, hotplug.service(Counter.class).increment(), "the healthy module serves");
            assertEquals(Outcome.FAILED, hotplug.history("hang").get(0).outcome());
            Await.noLeaks(hotplug);
        }
    }

    @Test
    void aLoadPastItsOwnTimeoutFailsWithinThatLimit() {
        try (Hotplug hotplug = TestModules.hotplug(dir).lifecycleTimeout(Duration.ofSeconds(20)).build()) {
            hotplug.start();
            hotplug.deploy(TestModules.counter("1.0.0").writeTo(dir.resolve("in")));
            long started = System.nanoTime();
            ModuleInfo info = hotplug.deploy(lifecycle("hang", "@Load(timeoutMillis = 300)", HANG).writeTo(dir.resolve("in")));
            long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();

            assertEquals(ModuleStatus.FAILED, info.status());
            assertOneLine(info.lastError(), "hang", "300 ms");
            assertTrue(millis < 10_000, "bounded by the method's 300 ms limit, not the framework's 20 s: " + millis + " ms");
            Await.until("the hung @Load to be interrupted", () -> Journal.lines().contains("hang interrupted"));
            assertEquals(1, hotplug.service(Counter.class).increment(), "the other module still serves");
            Await.noLeaks(hotplug);
        }
    }

    @Test
    void aThrowingStartupOrConstructorFailsOnlyItsModule() {
        Path modules = dir.resolve("modules");
        TestModules.counter("1.0.0").writeTo(modules);
        lifecycle("early", "@Startup", "throw new IllegalArgumentException(\"no resources\");").writeTo(modules);
        IsolationInFrameworkTest.module("ctor", "com.acme.ctor.Life", "",
                "public Life() { throw new UnsupportedOperationException(\"cannot construct\"); }").writeTo(modules);
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            assertOneLine(hotplug.module("early").orElseThrow().lastError(), "early", "@Startup", "no resources");
            assertOneLine(hotplug.module("ctor").orElseThrow().lastError(), "ctor", "cannot construct");
            assertEquals(ModuleStatus.FAILED, hotplug.module("ctor").orElseThrow().status());
            assertEquals(ModuleStatus.ACTIVE, hotplug.module("counter").orElseThrow().status());
            assertEquals(1, hotplug.service(Counter.class).increment());
        }
    }

    @Test
    void aReloadNamesTheStepThatHungAndItsLimit() {
        try (Hotplug hotplug = TestModules.hotplug(dir).lifecycleTimeout(Duration.ofMillis(500)).build()) {
            hotplug.start();
            hotplug.deploy(reloadable("1.0.0", "", "").writeTo(dir.resolve("in")));

            // On a reload the constructor and @Load reach the worker as one call; each keeps its own limit and name.
            hotplug.deploy(reloadable("1.0.1", HANG.replace("context.name()", "\"ctor\""), "").writeTo(dir.resolve("in")));
            HistoryEntry constructor = last(hotplug.history("steps"));
            assertEquals(Outcome.ROLLED_BACK, constructor.outcome());
            assertOneLine(constructor.cause(), "constructor of com.acme.steps.Life", "steps 1.0.1", "500 ms");
            Await.until("the hung constructor to be interrupted", () -> Journal.lines().contains("ctor interrupted"));

            hotplug.deploy(reloadable("1.0.2", "", "@Load(timeoutMillis = 300)").writeTo(dir.resolve("in")));
            HistoryEntry load = last(hotplug.history("steps"));
            assertEquals(Outcome.ROLLED_BACK, load.outcome());
            assertOneLine(load.cause(), "@Load of steps 1.0.2", "300 ms");
            assertTrue(!load.cause().contains("constructor"), load.cause());
            Await.until("the hung @Load to be interrupted", () -> Journal.lines().contains("steps interrupted"));

            ModuleInfo info = hotplug.module("steps").orElseThrow();
            assertEquals(ModuleStatus.ACTIVE, info.status());
            assertEquals("1.0.0", info.version(), "both rolled back to the version that served");
        }
    }

    private static HistoryEntry last(java.util.List<HistoryEntry> history) {
        return history.get(history.size() - 1);
    }

    /** Module "steps": its constructor runs {@code constructorBody}; its load method, annotated {@code load}, hangs. */
    private static ModuleJarBuilder reloadable(String version, String constructorBody, String load) {
        return TestModules.module("steps", version, "com.acme.steps.Life", """
                package com.acme.steps;

                import dev.hotplug.api.*;
                import dev.hotplug.framework.fixture.Journal;

                @HotplugModule
                public class Life {
                    public Life() throws Exception {
                        %s
                    }

                    %s
                    void run(ModuleContext context) throws Exception {
                        %s
                    }
                }
                """.formatted(constructorBody, load.isEmpty() ? "@Load" : load, load.isEmpty() ? "" : HANG));
    }

    /** Sleeps a minute, journaling when interrupted. */
    static final String HANG = """
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Journal.log(context.name() + " interrupted");
                throw e;
            }
            """;

    /** A module whose one method, annotated {@code annotation} and taking the context, runs {@code body}. */
    private static ModuleJarBuilder lifecycle(String name, String annotation, String body) {
        return TestModules.module(name, "1.0.0", "com.acme.fail.Life", """
                package com.acme.fail;

                import dev.hotplug.api.*;
                import dev.hotplug.framework.fixture.Journal;

                @HotplugModule
                public class Life {
                    %s
                    void run(ModuleContext context) throws Exception {
                        %s
                    }
                }
                """.formatted(annotation, body));
    }
}
