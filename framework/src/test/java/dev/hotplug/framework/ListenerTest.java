package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Counter;
import dev.hotplug.framework.fixture.Journal;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Listeners see every step of an attempt, then one final event with its outcome; a failing listener harms nothing. */
class ListenerTest {

    @TempDir
    Path dir;

    private final List<HotplugEvent> events = new CopyOnWriteArrayList<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();

    @BeforeEach
    void clear() {
        Journal.clear();
    }

    @Test
    void aListenerSeesEachStepAndTheOutcomeWhileAThrowingOneHarmsNothing() {
        Path in = dir.resolve("in");
        HotplugListener broken = event -> {
            throw new IllegalStateException("listener bug");
        };
        try (Hotplug hotplug = TestModules.hotplug(dir).listener(broken).listener(this::record).build()) {
            hotplug.start();
            hotplug.deploy(TestModules.counter("1.0.0").writeTo(in));
            HotplugEvent started = awaitFinal(1);
            assertEquals(Outcome.SWAPPED, started.outcome());
            assertEquals("1.0.0", started.toVersion());
            assertEquals(1, started.generation());

            hotplug.deploy(TestModules.counter("2.0.0").writeTo(in));
            List<HotplugEvent> swap = awaitAttempt(2);
            assertEquals(List.of(Phase.STAGE, Phase.QUIESCE, Phase.UNLOAD, Phase.LOAD, Phase.LOAD), phases(swap));
            for (HotplugEvent event : swap) {
                assertEquals("counter", event.module());
                assertEquals("1.0.0", event.fromVersion());
                assertEquals("2.0.0", event.toVersion());
                assertNull(event.failure(), event.toString());
            }
            assertEquals(Outcome.SWAPPED, swap.get(swap.size() - 1).outcome());
            assertEquals(2, swap.get(swap.size() - 1).generation());
            assertTrue(swap.subList(0, swap.size() - 1).stream().allMatch(e -> e.outcome() == null),
                    "only the last event of an attempt carries its outcome");

            hotplug.deploy(TestModules.counter("3.0.0").onLoad("throw new IllegalStateException(\"v3 cannot load\");")
                    .writeTo(in));
            List<HotplugEvent> rollback = awaitAttempt(3);
            assertEquals(List.of(Phase.STAGE, Phase.QUIESCE, Phase.UNLOAD, Phase.LOAD, Phase.ROLLBACK, Phase.ROLLBACK),
                    phases(rollback));
            assertTrue(rollback.get(3).failure().contains("v3 cannot load"), rollback.get(3).toString());
            assertNull(rollback.get(4).failure(), "the old version came back");
            HotplugEvent last = rollback.get(5);
            assertEquals(Outcome.ROLLED_BACK, last.outcome());
            assertEquals(last.failure(), ReloadRollbackTest.last(hotplug.history("counter")).cause());
            assertEquals(hotplug.module("counter").orElseThrow().generation(), last.generation(),
                    "the generation serving after the rollback");
            assertEquals(4, last.generation());

            assertEquals("2.0.0", hotplug.service(Counter.class).version(), "the throwing listener broke nothing");
            assertTrue(threads.stream().noneMatch(Thread.currentThread().getName()::equals),
                    "listeners run on the framework's event thread, not the caller's");
        }
    }

    @Test
    void aRemovedListenerHearsNothingMore() {
        HotplugListener listener = this::record;
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.addListener(listener);
            hotplug.start();
            hotplug.deploy(TestModules.counter("1.0.0").writeTo(dir.resolve("in")));
            awaitFinal(1);
            hotplug.removeListener(listener);
            hotplug.deploy(TestModules.counter("2.0.0").writeTo(dir.resolve("in")));
        }
        assertEquals(1, events.size(), "closing delivered everything queued; nothing came after removal: " + events);
        assertNotEquals(null, events.get(0).outcome());
    }

    private void record(HotplugEvent event) {
        threads.add(Thread.currentThread().getName());
        events.add(event);
    }

    /** Waits for the {@code n}th final event (one with an outcome) and returns it. */
    private HotplugEvent awaitFinal(int n) {
        Await.until(n + " attempts to end", () -> finals().size() >= n);
        return finals().get(n - 1);
    }

    /** The events of the {@code n}th attempt, from the event after the previous final one to its own final one. */
    private List<HotplugEvent> awaitAttempt(int n) {
        HotplugEvent end = awaitFinal(n);
        HotplugEvent previous = finals().get(n - 2);
        return List.copyOf(events.subList(events.indexOf(previous) + 1, events.indexOf(end) + 1));
    }

    private List<HotplugEvent> finals() {
        return events.stream().filter(e -> e.outcome() != null).toList();
    }

    private static List<Phase> phases(List<HotplugEvent> events) {
        return events.stream().map(HotplugEvent::phase).toList();
    }
}
