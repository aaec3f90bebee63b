package dev.hotplug.framework;

import dev.hotplug.api.ServiceUnavailableException;
import dev.hotplug.framework.fixture.Counter;
import dev.hotplug.framework.fixture.Journal;
import dev.hotplug.framework.fixture.LoaderProbe;
import dev.hotplug.state.StateRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static dev.hotplug.framework.IsolationInFrameworkTest.assertOneLine;
import static dev.hotplug.framework.ReloadRollbackTest.last;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC "Reload: the transaction" beyond the rollback of a failing new version: a failing {@code @Unload}, a module
 * that refuses reloads, a jar that is no module, schema migration, a rollback that fails too, and going back on demand.
 */
class ReloadTransactionTest {

    @TempDir
    Path dir;

    @BeforeEach
    void clear() {
        Journal.clear();
        LoaderProbe.clear();
    }

    @Test
    void aThrowingUnloadAbortsTheReloadAndTheOldGenerationKeepsServing() {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            Counter counter = countedOnce(hotplug, TestModules.counter("1.0.0").onUnload(
                    "if (!Journal.lines().contains(\"let go\")) throw new IllegalStateException(\"v1 holds on\");"), in);
            long generation = hotplug.module("counter").orElseThrow().generation();

            ModuleInfo after = hotplug.deploy(TestModules.counter("2.0.0").writeTo(in));

            HistoryEntry entry = last(hotplug.history("counter"));
            assertEquals(Outcome.ROLLED_BACK, entry.outcome());
            assertOneLine(entry.cause(), "@Unload of counter 1.0.0", "v1 holds on");
            assertEquals(ModuleStatus.ACTIVE, after.status());
            assertEquals(generation, after.generation(), "the very generation that refused to unload serves on");
            assertEquals("1.0.0", counter.version());
            assertEquals(2, counter.increment());
            assertTrue(LoaderProbe.loaders("counter 2.0.0").isEmpty(), "no code of the new version ran");

            Journal.log("let go");
            ModuleInfo swapped = hotplug.deploy(TestModules.counter("2.0.0").writeTo(in));
            assertEquals("2.0.0", swapped.version(), String.valueOf(swapped.lastError()));
            assertEquals(3, counter.increment(), "a later reload carries the state the old generation kept");
            Await.noLeaks(hotplug);
        }
    }

    @Test
    void aHungUnloadIsGivenUpOnAndTheOldGenerationKeepsServing() {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).lifecycleTimeout(Duration.ofMillis(300)).build()) {
            Counter counter = countedOnce(hotplug, TestModules.counter("1.0.0").onUnload(
                    "if (!Journal.lines().contains(\"let go\")) {"
                            + FailureIsolationTest.HANG.replace("context.name()", "\"unload\"") + "}"), in);
            long generation = hotplug.module("counter").orElseThrow().generation();

            ModuleInfo after = hotplug.deploy(TestModules.counter("2.0.0").writeTo(in));

            HistoryEntry entry = last(hotplug.history("counter"));
            assertEquals(Outcome.ROLLED_BACK, entry.outcome());
            assertOneLine(entry.cause(), "@Unload of counter 1.0.0", "300 ms");
            assertEquals(generation, after.generation(), "the generation whose @Unload hung serves on");
            assertEquals(2, counter.increment());
            assertTrue(LoaderProbe.loaders("counter 2.0.0").isEmpty(), "no code of the new version ran");
            Await.until("the hung @Unload to be interrupted", () -> Journal.lines().contains("unload interrupted"));

            Journal.log("let go");
            assertEquals("2.0.0", hotplug.deploy(TestModules.counter("2.0.0").writeTo(in)).version());
            assertEquals(3, counter.increment());
        }
    }

    @Test
    void anUnloadThatReturnsAfterItsLimitChangesNothing() throws InterruptedException {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).lifecycleTimeout(Duration.ofMillis(200)).build()) {
            // Deaf to the interrupt, it returns its state only once the reload gave up on it and the test says so.
            Counter counter = countedOnce(hotplug, TestModules.counter("1.0.0").onUnload("""
                    Journal.log("unload on " + Thread.currentThread().getName());
                    Journal.awaitIgnoringInterrupts("return");
                    """), in);

            hotplug.deploy(TestModules.counter("2.0.0").writeTo(in));
            assertEquals(Outcome.ROLLED_BACK, last(hotplug.history("counter")).outcome());
            Journal.log("return");
            String worker = Journal.lines().stream().filter(l -> l.startsWith("unload on ")).findFirst().orElseThrow()
                    .substring("unload on ".length());
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (thread.getName().equals(worker)) {
                    thread.join();
                }
            }

            assertTrue(Journal.lines().contains("unload 1.0.0 1"), "the late @Unload returned: " + Journal.lines());
            assertTrue(LoaderProbe.loaders("counter 2.0.0").isEmpty(), "its worker went on to no new version");
            assertFalse(Files.exists(dir.resolve("state").resolve("counter").resolve("a.state")), "nor wrote its state");
            assertEquals("1.0.0", counter.version());
            assertEquals(2, counter.increment());
        }
    }

    @Test
    void aStateWriteThatFailsRollsBackToTheOldVersionWithTheStateItUnloaded() throws IOException {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            Counter counter = countedOnce(hotplug, TestModules.counter("1.0.0"), in);
            long generation = hotplug.module("counter").orElseThrow().generation();
            // Folders where the module's state slots go: the write fails after @Unload ran.
            Path module = dir.resolve("state").resolve("counter");
            List<Path> blockers = List.of(module.resolve("a.state"), module.resolve("b.state"));
            for (Path blocker : blockers) {
                Files.deleteIfExists(blocker);
                Files.createDirectories(blocker);
            }

            ModuleInfo after = hotplug.deploy(TestModules.counter("2.0.0").writeTo(in));

            HistoryEntry entry = last(hotplug.history("counter"));
            assertEquals(Outcome.ROLLED_BACK, entry.outcome(), entry.toString());
            assertOneLine(entry.cause(), "counter");
            assertEquals("1.0.0", after.version());
            assertEquals(ModuleStatus.ACTIVE, after.status());
            assertNotEquals(generation, after.generation(), "the generation that unloaded does not serve again");
            assertTrue(Journal.lines().contains("unload 1.0.0 1"), Journal.lines().toString());
            assertEquals(2, counter.increment(), "the old version came back with the state its @Unload returned");
            assertTrue(LoaderProbe.loaders("counter 2.0.0").isEmpty(), "no code of the new version ran");

            for (Path blocker : blockers) {
                Files.delete(blocker);
            }
            assertEquals("2.0.0", hotplug.deploy(TestModules.counter("2.0.0").writeTo(in)).version());
            assertEquals(3, counter.increment());
            Await.noLeaks(hotplug);
        }
    }

    @Test
    void aModuleThatIsNotReloadableRefusesANewJarUntilItIsRemoved() {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            Counter counter = countedOnce(hotplug, TestModules.counter("1.0.0").notReloadable(), in);

            ModuleInfo after = hotplug.deploy(TestModules.counter("2.0.0").writeTo(in));
            HistoryEntry entry = last(hotplug.history("counter"));
            assertEquals(Outcome.REFUSED, entry.outcome());
            assertOneLine(entry.cause(), "counter", "reloadable = false");
            assertEquals("1.0.0", after.version());
            assertEquals(Outcome.REFUSED, hotplug.reload("counter").outcome(), "reload NAME is refused the same way");
            assertEquals("1.0.0", counter.version());
            assertEquals(2, counter.increment());
            assertFalse(Journal.lines().stream().anyMatch(l -> l.startsWith("unload")), "the old version was not touched");

            hotplug.undeploy("counter");
            assertEquals("2.0.0", hotplug.deploy(TestModules.counter("2.0.0").writeTo(in)).version());
            assertEquals(3, counter.increment());
        }
    }

    @Test
    void aJarThatIsNoModuleIsRefusedAndTheOldVersionServes() throws IOException {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            Counter counter = countedOnce(hotplug, TestModules.counter("1.0.0"), in);

            Path corrupt = Files.write(in.resolve("counter-2.0.0.jar"), "not a jar at all".getBytes(StandardCharsets.UTF_8));
            HotplugException refused = assertThrows(HotplugException.class, () -> hotplug.deploy(corrupt));
            assertOneLine(refused.getMessage(), "counter-2.0.0.jar");

            byte[] whole = Files.readAllBytes(TestModules.counter("2.0.0").writeTo(dir.resolve("whole")));
            Path truncated = Files.write(in.resolve("counter-2.0.0.jar"), Arrays.copyOf(whole, whole.length / 2));
            refused = assertThrows(HotplugException.class, () -> hotplug.deploy(truncated));
            assertOneLine(refused.getMessage(), "counter-2.0.0.jar");

            assertEquals("1.0.0", counter.version());
            assertEquals(2, counter.increment());
            assertEquals(ModuleStatus.ACTIVE, hotplug.module("counter").orElseThrow().status());
            assertFalse(Journal.lines().stream().anyMatch(l -> l.startsWith("unload")), "the old version was not touched");
        }
    }

    @Test
    void stateMigratesFromVersionOneToThreeThroughTwoSteps() {
        Path in = dir.resolve("in");
        Hotplug hotplug = TestModules.hotplug(dir).build();
        try (hotplug) {
            hotplug.start();
            hotplug.deploy(TestModules.counter("1.0.0").writeTo(in));
            Counter counter = hotplug.service(Counter.class);
            for (int i = 0; i < 3; i++) {
                counter.increment();
            }
            ModuleInfo after = hotplug.deploy(TestModules.counter("3.0.0").classAnnotations("@StateVersion(3)")
                    .state("public record Saved(long total, String note) { }",
                            "count.set(saved.total()); Journal.log(\"note \" + saved.note());",
                            "new Saved(count.get(), \"written by 3\")")
                    .members(MIGRATIONS).writeTo(in));

            assertEquals("3.0.0", after.version(), String.valueOf(after.lastError()));
            assertTrue(Journal.lines().contains("note renamed at 2, noted at 3"), Journal.lines().toString());
            assertTrue(Journal.lines().contains("load 3.0.0 RELOAD 3 #2"), Journal.lines().toString());
            assertEquals(4, counter.increment());
        }
        StateRecord saved = hotplug.savedState("counter").orElseThrow();
        assertEquals(3, saved.stateVersion());
        assertEquals(4, saved.state().get("total").asLong());
        assertEquals("written by 3", saved.state().get("note").asText());
    }

    @Test
    void aStateVersionTheNewVersionCannotReachIsRefusedAtStagingWithTheOldVersionUntouched() {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            Counter counter = countedOnce(hotplug, TestModules.counter("1.0.0"), in);

            hotplug.deploy(TestModules.counter("2.0.0").classAnnotations("@StateVersion(2)").writeTo(in));

            HistoryEntry noStep = hotplug.history("counter").get(1);
            assertEquals(Outcome.REFUSED, noStep.outcome(), noStep.toString());
            assertOneLine(noStep.cause(), "Cannot stage module counter 2.0.0", "state of version 1.0.0 from state "
                    + "version 1 to 2", "no @Migrate(from = 1) method in com.acme.counter.CounterModule");
            assertEquals(0, noStep.pauseMicros(), "calls were never held");
            assertFalse(Journal.lines().stream().anyMatch(l -> l.startsWith("unload")), "the old version was not touched");
            assertEquals(2, counter.increment());

            hotplug.deploy(TestModules.counter("3.0.0").classAnnotations("@StateVersion(3)").members(MIGRATIONS)
                    .state("public record Saved(long total, String note) { }", "count.set(saved.total());",
                            "new Saved(count.get(), \"written by 3\")").writeTo(in));
            assertEquals("3.0.0", counter.version());
            Journal.clear();

            HistoryEntry down = hotplug.rollback("counter");

            assertEquals(Outcome.REFUSED, down.outcome(), down.toString());
            assertOneLine(down.cause(), "Cannot stage module counter 1.0.0", "@StateVersion(1) is older than state "
                    + "version 3, which version 3.0.0 writes; state is never migrated down");
            assertFalse(Journal.lines().stream().anyMatch(l -> l.startsWith("unload")), "3.0.0 was not touched");
            assertEquals(3, counter.increment(), "on 3.0.0, with the count it carried");
            assertEquals("3.0.0", counter.version());
        }
    }

    @Test
    void aFailedRollbackLeavesTheModuleFailedWithItsStateOnDiskAndOthersRunning() {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).serviceWait(Duration.ofMillis(300)).build()) {
            hotplug.start();
            hotplug.deploy(TestModules.write(TestModules.module("plain", "1.0.0", "com.acme.plain.Plain",
                    LifecycleTest.PLAIN), "plain-1.0.0.jar", "plain|" + LifecycleTest.PLAIN, in));
            hotplug.deploy(TestModules.counter("1.0.0").onLoad(
                    "if (reason == LoadReason.ROLLBACK) throw new IllegalStateException(\"v1 cannot come back\");")
                    .writeTo(in));
            Counter counter = hotplug.service(Counter.class);
            for (int i = 0; i < 3; i++) {
                counter.increment();
            }

            ModuleInfo after = hotplug.deploy(TestModules.counter("2.0.0")
                    .onLoad("throw new IllegalStateException(\"v2 cannot load\");").writeTo(in));

            assertEquals(ModuleStatus.FAILED, after.status());
            HistoryEntry entry = last(hotplug.history("counter"));
            assertEquals(Outcome.FAILED, entry.outcome());
            assertOneLine(entry.cause(), "counter 2.0.0", "v2 cannot load", "counter 1.0.0", "v1 cannot come back");
            assertOneLine(after.lastError(), "v2 cannot load", "v1 cannot come back");
            assertEquals(3, hotplug.savedState("counter").orElseThrow().state().get("count").asLong(),
                    "the state stays on disk");
            ServiceUnavailableException unavailable = assertThrows(ServiceUnavailableException.class, counter::increment);
            assertEquals("counter", unavailable.module());
            assertEquals(ModuleStatus.ACTIVE, hotplug.module("plain").orElseThrow().status(), "others keep running");

            ModuleInfo fixed = hotplug.deploy(TestModules.counter("3.0.0").writeTo(in));
            assertEquals(ModuleStatus.ACTIVE, fixed.status(), String.valueOf(fixed.lastError()));
            assertTrue(Journal.lines().contains("load 3.0.0 RESTORE 3 #4"), Journal.lines().toString());
            assertEquals(4, counter.increment(), "a fixed version picks the state up from disk");
            Await.noLeaks(hotplug);
        }
    }

    @Test
    void rollbackGoesBackToThePreviousVersionWithTheCurrentState() {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(TestModules.counter("1.0.0").writeTo(in));
            HotplugException none = assertThrows(HotplugException.class, () -> hotplug.rollback("counter"));
            assertOneLine(none.getMessage(), "counter", "no previous version");
            Counter counter = hotplug.service(Counter.class);
            counter.increment();
            hotplug.deploy(TestModules.counter("2.0.0").writeTo(in));
            assertEquals(2, counter.increment());

            HistoryEntry entry = hotplug.rollback("counter");

            assertEquals(Outcome.SWAPPED, entry.outcome(), entry.cause());
            assertEquals("2.0.0", entry.from());
            assertEquals("1.0.0", entry.to());
            assertTrue(Journal.lines().contains("load 1.0.0 ROLLBACK 2 #3"), Journal.lines().toString());
            assertEquals("1.0.0", counter.version());
            assertEquals(3, counter.increment(), "the current state, not the one 1.0.0 left");
            assertEquals(ModuleStatus.ACTIVE, hotplug.module("counter").orElseThrow().status());
            assertThrows(HotplugException.class, () -> hotplug.rollback("nosuch"));
            Await.noLeaks(hotplug);
        }
    }

    private static final String MIGRATIONS = """
            @Migrate(from = 1)
            static com.fasterxml.jackson.databind.node.ObjectNode rename(com.fasterxml.jackson.databind.node.ObjectNode v1) {
                v1.set("total", v1.remove("count"));
                v1.put("note", "renamed at 2");
                return v1;
            }

            @Migrate(from = 2)
            static com.fasterxml.jackson.databind.node.ObjectNode note(com.fasterxml.jackson.databind.node.ObjectNode v2) {
                return v2.put("note", v2.get("note").asText() + ", noted at 3");
            }
            """;

    /** Starts {@code hotplug} with {@code first} deployed from {@code in} and its counter counted once; its proxy. */
    static Counter countedOnce(Hotplug hotplug, TestModules.CounterSource first, Path in) {
        hotplug.start();
        hotplug.deploy(first.writeTo(in));
        Counter counter = hotplug.service(Counter.class);
        counter.increment();
        return counter;
    }
}
