package dev.hotplug.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Damaged files and interrupted writes: the previous good state survives, nothing damaged is ever loaded. */
class StateStoreRecoveryTest {

    private static final ObjectMapper TREES = new ObjectMapper();

    private final List<String> reports = new CopyOnWriteArrayList<>();

    @Test
    void aCorruptCurrentFileFallsBackToThePreviousState(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        StateRecord a = store.write(record("a"));
        store.write(record("b"));
        Path current = dir.resolve("counter").resolve(StateStore.CURRENT);
        Files.write(current, "\u0000\u00ff garbage \n\n{".getBytes(StandardCharsets.ISO_8859_1));

        assertEquals(Optional.of(a), new StateStore(dir, reports::add).read("counter"));

        assertEquals(1, reports.size(), reports.toString());
        String line = reports.get(0);
        assertTrue(line.startsWith("Cannot read state of module counter: file " + current + " is damaged ("), line);
        assertFalse(line.contains("\n"));
        assertFalse(Files.exists(current), "moved aside");
        List<Path> aside = aside(dir, StateStore.CURRENT + ".corrupt-");
        assertEquals(1, aside.size());
        assertTrue(line.endsWith("moved aside to " + aside.get(0).getFileName() + ", not loaded"), line);
        assertEquals("\u0000\u00ff garbage \n\n{", Files.readString(aside.get(0), StandardCharsets.ISO_8859_1),
                "kept as it was");
    }

    @Test
    void writingAfterAFallbackContinuesTheSequence(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        store.write(record("a"));
        store.write(record("b"));
        Files.write(dir.resolve("counter").resolve(StateStore.CURRENT), new byte[] {1, 2, 3});
        StateStore restarted = new StateStore(dir, reports::add);
        StateRecord c = restarted.write(record("c"));
        assertEquals(2, c.sequence(), "previous (1) + 1");
        assertEquals(Optional.of(c), restarted.read("counter"));
        assertEquals(1, reports.size());
        Files.write(dir.resolve("counter").resolve(StateStore.CURRENT), new byte[] {4});
        assertEquals("a", new StateStore(dir, reports::add).read("counter").orElseThrow().state().get("v").textValue(),
                "a stayed the previous state while c was written");
    }

    @Test
    void aChangedByteOrAnotherModulesFileIsDetected(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        StateRecord a = store.write(record("a"));
        store.write(record("b"));
        Path current = dir.resolve("counter").resolve(StateStore.CURRENT);
        byte[] bytes = Files.readAllBytes(current);
        int at = new String(bytes, StandardCharsets.UTF_8).indexOf("\"v\":\"b\"") + 5;
        bytes[at] = 'x';
        Files.write(current, bytes);
        assertEquals(Optional.of(a), new StateStore(dir, reports::add).read("counter"));
        assertTrue(reports.get(0).contains("checksum mismatch"), reports.get(0));

        StateStore other = new StateStore(dir, reports::add);
        other.write(StateRecord.of("other", "1.0.0", 1, TREES.createObjectNode()));
        Files.copy(dir.resolve("counter").resolve(StateStore.PREVIOUS), dir.resolve("other").resolve(StateStore.CURRENT),
                StandardCopyOption.REPLACE_EXISTING);
        assertEquals(Optional.empty(), new StateStore(dir, reports::add).read("other"));
        assertTrue(reports.get(1).contains("written for module counter, not other"), reports.get(1));
    }

    @Test
    void aCurrentFileCutAtAnyByteIsNeverReadInPart(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        StateRecord a = store.write(record("a"));
        StateRecord b = store.write(record("b"));
        Path folder = dir.resolve("counter");
        byte[] whole = Files.readAllBytes(folder.resolve(StateStore.CURRENT));
        byte[] previous = Files.readAllBytes(folder.resolve(StateStore.PREVIOUS));

        for (int length = 0; length < whole.length; length++) {
            Files.write(folder.resolve(StateStore.CURRENT), Arrays.copyOf(whole, length));
            Files.write(folder.resolve(StateStore.PREVIOUS), previous);
            Optional<StateRecord> read = new StateStore(dir, reports::add).read("counter");
            assertEquals(Optional.of(a), read, "cut at " + length + " of " + whole.length);
        }
        assertEquals(whole.length, reports.size());
        assertEquals(whole.length, aside(dir, StateStore.CURRENT + ".corrupt-").size(), "every cut file is kept aside");

        Files.write(folder.resolve(StateStore.CURRENT), whole);
        assertEquals(Optional.of(b), new StateStore(dir, reports::add).read("counter"), "the whole file is read");
    }

    @Test
    void aCompleteTempFileFromAnInterruptedWriteIsTakenWhenNewest(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        StateRecord a = store.write(record("a"));
        StateRecord b = store.write(record("b"));
        Path folder = dir.resolve("counter");
        // Crash after the temp file was fsynced, before any rename: current = a, temp = b.
        Files.move(folder.resolve(StateStore.CURRENT), folder.resolve(StateStore.TEMP));
        Files.move(folder.resolve(StateStore.PREVIOUS), folder.resolve(StateStore.CURRENT));

        assertEquals(Optional.of(b), new StateStore(dir, reports::add).read("counter"));
        assertFalse(Files.exists(folder.resolve(StateStore.TEMP)), "the interrupted write was finished");
        StateStore after = new StateStore(dir, reports::add);
        assertEquals(Optional.of(b), after.read("counter"));
        Files.write(folder.resolve(StateStore.CURRENT), new byte[0]);
        assertEquals(Optional.of(a), new StateStore(dir, reports::add).read("counter"), "and a is kept as previous");
        assertEquals(1, reports.size(), "only the emptied file was reported: " + reports);
    }

    @Test
    void aCrashBetweenTheTwoRenamesLeavesTheNewState(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        store.write(record("a"));
        StateRecord b = store.write(record("b"));
        Path folder = dir.resolve("counter");
        // current was renamed to previous; the temp was not yet renamed to current.
        Files.move(folder.resolve(StateStore.CURRENT), folder.resolve(StateStore.TEMP));

        StateStore restarted = new StateStore(dir, reports::add);
        assertEquals(Optional.of(b), restarted.read("counter"));
        assertEquals(3, restarted.write(record("c")).sequence());
        assertEquals(List.of(), reports);
    }

    @Test
    void aTornOrStaleTempFileIsMovedAsideAndTheCurrentStateRead(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        StateRecord a = store.write(record("a"));
        Path folder = dir.resolve("counter");
        byte[] whole = Files.readAllBytes(folder.resolve(StateStore.CURRENT));
        Files.write(folder.resolve(StateStore.TEMP), Arrays.copyOf(whole, whole.length / 2));

        assertEquals(Optional.of(a), new StateStore(dir, reports::add).read("counter"));
        assertEquals(1, aside(dir, StateStore.TEMP + ".corrupt-").size());
        assertTrue(reports.get(0).contains(StateStore.TEMP + " is damaged (truncated: "), reports.get(0));

        Files.write(folder.resolve(StateStore.TEMP), whole);
        StateRecord b = store.write(record("b"));
        Files.write(folder.resolve(StateStore.TEMP), whole);
        assertEquals(Optional.of(b), new StateStore(dir, reports::add).read("counter"));
        assertEquals(1, aside(dir, StateStore.TEMP + ".stale-").size());
        assertTrue(reports.get(1).contains("is a leftover older than the current state (sequence 1)"), reports.get(1));
    }

    @Test
    void whenEveryFileIsDamagedThereIsNoStateAndAllAreKeptAside(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        store.write(record("a"));
        store.write(record("b"));
        Path folder = dir.resolve("counter");
        Files.write(folder.resolve(StateStore.CURRENT), new byte[] {'{'});
        Files.write(folder.resolve(StateStore.PREVIOUS), new byte[0]);
        assertEquals(Optional.empty(), new StateStore(dir, reports::add).read("counter"));
        assertEquals(2, reports.size());
        assertEquals(2, aside(dir, ".corrupt-").size());
    }

    private static StateRecord record(String value) {
        return StateRecord.of("counter", "1.0.0", 1, TREES.createObjectNode().put("v", value));
    }

    private static List<Path> aside(Path dir, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("counter"))) {
            return files.filter(f -> f.getFileName().toString().contains(prefix)).toList();
        }
    }
}
