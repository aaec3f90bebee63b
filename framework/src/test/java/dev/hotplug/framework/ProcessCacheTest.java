package dev.hotplug.framework;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessCacheTest {

    @TempDir
    Path dir;

    @Test
    void sweepsCachesOfGoneProcessesAndKeepsLiveOnes() throws Exception {
        Path root = dir.resolve("cache");
        Path dead = Files.createDirectories(root.resolve("proc-999999-abc"));
        Files.writeString(dead.resolve(".lock"), "");
        Files.writeString(dead.resolve("1-counter.jar"), "left behind by a killed process");
        ProcessCache live = ProcessCache.create(root);
        assertFalse(Files.exists(dead), "an unlocked cache of a process that is gone is swept");
        ProcessCache second = ProcessCache.create(root);
        assertTrue(Files.isDirectory(live.folder()), "a locked cache of a live framework is kept");
        second.close();
        live.close();
        assertFalse(Files.exists(live.folder()), "closing removes its own cache");
        assertFalse(Files.exists(second.folder()));
    }

    @Test
    void gracefulStopRemovesTheCache() {
        Hotplug hotplug = Hotplug.builder().modulesFolder(dir.resolve("modules")).stateFolder(dir.resolve("state")).build();
        hotplug.close();
        assertTrue(Files.isDirectory(dir.resolve("state").resolve("cache")));
        assertFalse(hasProcessFolder(dir.resolve("state").resolve("cache")));
    }

    private static boolean hasProcessFolder(Path root) {
        try (var files = Files.list(root)) {
            return files.anyMatch(p -> p.getFileName().toString().startsWith("proc-"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
