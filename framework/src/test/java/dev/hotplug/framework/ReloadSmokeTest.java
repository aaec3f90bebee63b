package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Counter;
import dev.hotplug.framework.fixture.Journal;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReloadSmokeTest {

    @TempDir
    Path dir;

    @BeforeEach
    void clear() {
        Journal.clear();
    }

    private Hotplug framework() {
        return TestModules.hotplug(dir).lifecycleTimeout(Duration.ofSeconds(2)).build();
    }

    @Test
    void reloadCarriesStateAndBadVersionRollsBack() {
        Path staging = dir.resolve("staging");
        try (Hotplug hotplug = framework()) {
            hotplug.start();
            hotplug.deploy(TestModules.counter("1.0.0").writeTo(staging));
            Counter counter = hotplug.service(Counter.class);
            counter.increment();
            counter.increment();
            assertEquals("1.0.0", counter.version());

            assertEquals(0, hotplug.history("counter").get(0).pauseMicros(), "a first start holds no calls");
            HistoryEntry swapped = hotplug.reload("counter");
            assertEquals(Outcome.SWAPPED, swapped.outcome(), String.valueOf(swapped.cause()));
            assertTrue(swapped.pauseMicros() > 0 && swapped.pauseMicros() <= (swapped.millis() + 1) * 1000,
                    "calls were held for part of the reload: " + swapped);
            hotplug.deploy(TestModules.counter("2.0.0").writeTo(staging));
            assertEquals("2.0.0", counter.version());
            assertEquals(3, counter.increment());

            hotplug.deploy(TestModules.counter("3.0.0").onLoad("throw new IllegalStateException(\"boom\");").writeTo(staging));
            HistoryEntry last = hotplug.history("counter").get(hotplug.history("counter").size() - 1);
            assertEquals(Outcome.ROLLED_BACK, last.outcome());
            assertTrue(last.pauseMicros() > 0, "a rollback holds calls too: " + last);
            assertEquals("2.0.0", counter.version());
            assertEquals(4, counter.increment());
        }
        List<String> lines = Journal.lines();
        assertEquals("startup 1.0.0", lines.get(0));
        assertEquals("load 1.0.0 START - #1", lines.get(1));
        assertEquals("shutdown 2.0.0", lines.get(lines.size() - 1), lines.toString());
    }
}
