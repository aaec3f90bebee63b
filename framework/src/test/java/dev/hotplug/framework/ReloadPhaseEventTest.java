package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Journal;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class ReloadPhaseEventTest {

    @TempDir
    Path dir;

    @BeforeEach
    void clear() {
        Journal.clear();
    }

    @Test
    void recordingShowsEveryPhaseOfASwapAndARollback() throws Exception {
        Path file = dir.resolve("reload.jfr");
        Path staging = dir.resolve("staging");
        try (Hotplug hotplug = TestModules.hotplug(dir).build(); Recording recording = new Recording()) {
            hotplug.start();
            hotplug.deploy(TestModules.counter("1.0.0").writeTo(staging));
            recording.enable("dev.hotplug.ReloadPhase").withThreshold(java.time.Duration.ZERO);
            recording.start();
            hotplug.deploy(TestModules.counter("2.0.0").writeTo(staging));
            hotplug.deploy(TestModules.counter("3.0.0").onLoad("throw new IllegalStateException(\"boom\");")
                    .writeTo(staging));
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = new ArrayList<>(RecordingFile.readAllEvents(file));
        events.sort(Comparator.comparing(RecordedEvent::getStartTime));
        List<String> seen = new ArrayList<>();
        for (RecordedEvent event : events) {
            if (!event.getEventType().getName().equals("dev.hotplug.ReloadPhase")) {
                continue;
            }
            assertEquals("counter", event.getString("module"));
            assertFalse(event.getDuration().isNegative());
            seen.add(event.getString("phase") + " " + event.getString("fromVersion") + "->" + event.getString("toVersion")
                    + (event.getString("failure") == null ? "" : " failed"));
        }
        assertEquals(List.of("stage 1.0.0->2.0.0", "quiesce 1.0.0->2.0.0", "unload 1.0.0->2.0.0", "load 1.0.0->2.0.0",
                "stage 2.0.0->3.0.0", "quiesce 2.0.0->3.0.0", "unload 2.0.0->3.0.0", "load 2.0.0->3.0.0 failed",
                "rollback 2.0.0->3.0.0"), seen);
    }
}
