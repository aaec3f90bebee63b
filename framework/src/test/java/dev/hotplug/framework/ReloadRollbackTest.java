package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Counter;
import dev.hotplug.framework.fixture.Journal;
import dev.hotplug.framework.fixture.LoaderProbe;
import dev.hotplug.testkit.ModuleJarBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import static dev.hotplug.framework.IsolationInFrameworkTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC "Reload: the transaction", for each failure that must roll back: the old version serves again with the state
 * it had, the history says why, and the failed generation's classloader is collected.
 */
class ReloadRollbackTest {

    @TempDir
    Path dir;

    @BeforeEach
    void clear() {
        Journal.clear();
        LoaderProbe.clear();
    }

    /** A broken version 2.0.0 of the counter, and what its failure must say. */
    enum Failure {
        LOAD_THROWS(dir -> TestModules.counter("2.0.0")
                .onLoad("throw new IllegalStateException(\"v2 cannot load\");"),
                "@Load of counter 2.0.0", "IllegalStateException", "v2 cannot load"),
        LOAD_PAST_ITS_LIMIT(dir -> TestModules.counter("2.0.0").loadAnnotation("@Load(timeoutMillis = 300)")
                .onLoad(FailureIsolationTest.HANG),
                "@Load of counter 2.0.0", "300 ms"),
        CLASS_MISSING_FROM_THE_NEW_JAR(dir -> TestModules.counter("2.0.0")
                .compileClassPath(missingClassJar(dir))
                .onLoad("Journal.log(Missing.text());"),
                "@Load of counter 2.0.0", "NoClassDefFoundError", "com/acme/counter/Missing"),
        STATE_DOES_NOT_DECODE(dir -> TestModules.counter("2.0.0").state(
                "public record Saved(Amount count) { public record Amount(long value, String unit) { } }",
                "count.set(saved.count().value());",
                "new Saved(new Saved.Amount(count.get(), \"calls\"))"),
                "Cannot decode state of module counter", "count"),
        MIGRATION_THROWS(dir -> TestModules.counter("2.0.0").classAnnotations("@StateVersion(2)").members("""
                @Migrate(from = 1)
                static com.fasterxml.jackson.databind.node.ObjectNode up(com.fasterxml.jackson.databind.node.ObjectNode v1) {
                    throw new IllegalStateException("v1 state is beyond repair");
                }
                """),
                "Cannot migrate state of module counter from version 1 to 2", "v1 state is beyond repair");

        final Function<Path, TestModules.CounterSource> broken;
        final List<String> cause;

        Failure(Function<Path, TestModules.CounterSource> broken, String... cause) {
            this.broken = broken;
            this.cause = List.of(cause);
        }
    }

    @ParameterizedTest
    @EnumSource(Failure.class)
    void theOldVersionServesAgainWithItsState(Failure failure) {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            Path v1 = TestModules.counter("1.0.0").writeTo(in);
            hotplug.deploy(v1);
            Counter counter = hotplug.service(Counter.class);
            for (int i = 0; i < 3; i++) {
                counter.increment();
            }

            ModuleInfo after = hotplug.deploy(failure.broken.apply(dir).writeTo(in));

            HistoryEntry last = last(hotplug.history("counter"));
            assertEquals(Outcome.ROLLED_BACK, last.outcome(), last.toString());
            assertEquals("1.0.0", last.from());
            assertEquals("2.0.0", last.to());
            assertOneLine(last.cause(), failure.cause.toArray(String[]::new));
            assertEquals(ModuleStatus.ACTIVE, after.status());
            assertEquals("1.0.0", after.version());
            assertEquals(last.cause(), after.lastError(), "info says why the last attempt did not swap");
            assertEquals(v1, after.file(), "the file named is the one of the version that serves");

            assertEquals("1.0.0", counter.version(), "the old version answers");
            assertEquals(4, counter.increment(), "with the state it had");
            assertTrue(Journal.lines().contains("load 1.0.0 ROLLBACK 3 #3"), Journal.lines().toString());
            assertEquals(3, hotplug.savedState("counter").orElseThrow().state().get("count").asLong());

            List<WeakReference<ClassLoader>> failed = LoaderProbe.loaders("counter 2.0.0");
            assertFalse(failed.isEmpty(), "the failed version's code ran (its constructor at least)");
            if (failure == Failure.LOAD_PAST_ITS_LIMIT) {
                Await.until("the hung @Load to be interrupted", () -> Journal.lines().contains("counter interrupted"));
            }
            Await.collected("the failed generation's classloader", failed);
            Await.noLeaks(hotplug);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Failure.class, names = {"LOAD_THROWS", "STATE_DOES_NOT_DECODE"})
    void aRollbackKeepsServingThroughLaterGoodReloads(Failure failure) {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(TestModules.counter("1.0.0").writeTo(in));
            Counter counter = hotplug.service(Counter.class);
            counter.increment();
            hotplug.deploy(failure.broken.apply(dir).writeTo(in));
            ModuleInfo fixed = hotplug.deploy(TestModules.counter("3.0.0").writeTo(in));

            assertEquals(ModuleStatus.ACTIVE, fixed.status());
            assertEquals("3.0.0", counter.version());
            assertEquals(2, counter.increment());
            assertEquals(List.of(Outcome.SWAPPED, Outcome.ROLLED_BACK, Outcome.SWAPPED),
                    hotplug.history("counter").stream().map(HistoryEntry::outcome).toList());
            assertEquals(1, fixed.reloads(), "a rollback is not a reload that swapped");
            Await.noLeaks(hotplug);
        }
    }

    static HistoryEntry last(List<HistoryEntry> history) {
        return history.get(history.size() - 1);
    }

    /** A jar holding {@code com.acme.counter.Missing}: compiled against, never deployed. */
    private static Path missingClassJar(Path dir) {
        return ModuleJarBuilder.plain().fileName("missing.jar").source("com.acme.counter.Missing", """
                package com.acme.counter;
                public class Missing { public static String text() { return "present"; } }
                """).writeTo(dir.resolve("lib"));
    }
}
