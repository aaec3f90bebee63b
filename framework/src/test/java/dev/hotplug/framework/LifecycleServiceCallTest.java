package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Counter;
import dev.hotplug.framework.fixture.Journal;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.hotplug.framework.ReloadRollbackTest.last;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reload keeps the module's services closed until the swap; its new {@code @Load} may still call them (and a
 * consumer's {@code @Load} its provider's, loaded just before it) without waiting for the swap it is part of.
 */
class LifecycleServiceCallTest {

    private static final String CALL_OWN_SERVICE =
            "Journal.log(\"own service says \" + context.service(Counter.class).version());";

    @TempDir
    Path dir;

    @BeforeEach
    void clear() {
        Journal.clear();
    }

    @Test
    void aLoadCallingItsOwnServiceDuringAReloadSwaps() {
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(TestModules.counter("1.0.0", CALL_OWN_SERVICE).writeTo(dir.resolve("in")));
            Counter counter = hotplug.service(Counter.class);
            counter.increment();

            hotplug.deploy(TestModules.counter("2.0.0", CALL_OWN_SERVICE).writeTo(dir.resolve("in")));

            HistoryEntry entry = last(hotplug.history("counter"));
            assertEquals(Outcome.SWAPPED, entry.outcome(), String.valueOf(entry.cause()));
            assertTrue(Journal.lines().contains("own service says 2.0.0"), Journal.lines().toString());
            assertEquals("2.0.0", counter.version());
            assertEquals(2, counter.increment(), "the count came along");
        }
    }
}
