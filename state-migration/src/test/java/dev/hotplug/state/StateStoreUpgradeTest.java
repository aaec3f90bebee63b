package dev.hotplug.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * State folders written by the earlier layout ({@code current.state}, {@code previous.state} and the temp file
 * {@code current.state.tmp} of an interrupted write, all made here by hand in the format that layout wrote): nothing
 * in them is lost, the sequence continues, and the next write replaces them with slots.
 */
class StateStoreUpgradeTest {

    private static final ObjectMapper TREES = new ObjectMapper();

    private final List<String> reports = new CopyOnWriteArrayList<>();

    @Test
    void currentAndPreviousAreReadAndReplacedBySlotsOnTheNextWrite(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("counter");
        legacy(folder, StateStore.LEGACY_PREVIOUS, 3, "three");
        StateRecord four = legacy(folder, StateStore.LEGACY_CURRENT, 4, "four");

        StateStore store = new StateStore(dir, reports::add);
        assertEquals(Optional.of(four), store.read("counter"));
        assertEquals(Optional.of(four), store.read("counter"), "reading changes nothing");
        assertEquals(List.of(StateStore.LEGACY_CURRENT, StateStore.LEGACY_PREVIOUS), list(folder));

        StateRecord five = store.write(record("five"));
        assertEquals(5, five.sequence(), "the sequence continues");
        assertEquals(List.of(StateStore.SLOT_A, StateStore.SLOT_B), list(folder), "the old files are gone");
        assertEquals(Optional.of(five), new StateStore(dir, reports::add).read("counter"));
        assertEquals(6, store.write(record("six")).sequence());
        assertEquals(List.of(), reports);
    }

    @Test
    void theOldCurrentStaysThePreviousStateAfterTheFirstWrite(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("counter");
        legacy(folder, StateStore.LEGACY_PREVIOUS, 3, "three");
        StateRecord four = legacy(folder, StateStore.LEGACY_CURRENT, 4, "four");

        StateRecord five = new StateStore(dir, reports::add).write(record("five"));
        Path newest = folder.resolve(StateStore.SLOT_B);
        assertEquals(five, StateFile.decode(Files.readAllBytes(newest), "counter"));
        Files.write(newest, Arrays.copyOf(Files.readAllBytes(newest), 20));
        assertEquals(Optional.of(four), new StateStore(dir, reports::add).read("counter"),
                "when the first slot write is lost, the state it replaced answers");
        assertEquals(1, reports.size(), reports.toString());
    }

    @Test
    void aCompleteNewestTempFileIsTakenAndRemoved(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("counter");
        legacy(folder, StateStore.LEGACY_PREVIOUS, 2, "two");
        legacy(folder, StateStore.LEGACY_CURRENT, 3, "three");
        StateRecord four = legacy(folder, StateStore.LEGACY_TEMP, 4, "four");

        StateStore store = new StateStore(dir, reports::add);
        assertEquals(Optional.of(four), store.read("counter"));
        assertEquals(5, store.write(record("five")).sequence());
        assertEquals(List.of(StateStore.SLOT_A, StateStore.SLOT_B), list(folder));
        assertEquals(List.of(), reports);
    }

    @Test
    void aCrashBetweenTheOldRenamesLeavesTheNewState(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("counter");
        // current was renamed to previous; the temp was not yet renamed to current.
        legacy(folder, StateStore.LEGACY_PREVIOUS, 1, "a");
        StateRecord b = legacy(folder, StateStore.LEGACY_TEMP, 2, "b");

        StateStore restarted = new StateStore(dir, reports::add);
        assertEquals(Optional.of(b), restarted.read("counter"));
        assertEquals(3, restarted.write(record("c")).sequence());
        assertEquals(List.of(StateStore.SLOT_A, StateStore.SLOT_B), list(folder));
        assertEquals(List.of(), reports);
    }

    @Test
    void aTornOrStaleTempFileIsMovedAsideAndTheCurrentStateRead(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("counter");
        StateRecord one = legacy(folder, StateStore.LEGACY_CURRENT, 1, "one");
        byte[] whole = StateFile.encode(new StateRecord("counter", "1.0.0", 1, Instant.now(), 2,
                TREES.createObjectNode().put("v", "two")));
        Files.write(folder.resolve(StateStore.LEGACY_TEMP), Arrays.copyOf(whole, whole.length / 2));

        assertEquals(Optional.of(one), new StateStore(dir, reports::add).read("counter"));
        assertEquals(1, StateStoreRecoveryTest.aside(dir, StateStore.LEGACY_TEMP + ".corrupt-").size());
        assertTrue(reports.get(0).contains(StateStore.LEGACY_TEMP + " is damaged (truncated: "), reports.get(0));

        legacy(folder, StateStore.LEGACY_CURRENT, 3, "three");
        legacy(folder, StateStore.LEGACY_TEMP, 2, "two");
        StateStore store = new StateStore(dir, reports::add);
        assertEquals(3, store.read("counter").orElseThrow().sequence());
        assertEquals(1, StateStoreRecoveryTest.aside(dir, StateStore.LEGACY_TEMP + ".stale-").size());
        assertTrue(reports.get(1).contains("is a leftover older than the current state (sequence 2)"), reports.get(1));
        assertEquals(4, store.write(record("four")).sequence());
        assertEquals(2, reports.size(), reports.toString());
    }

    @Test
    void aDamagedOldCurrentFallsBackToTheOldPrevious(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("counter");
        StateRecord one = legacy(folder, StateStore.LEGACY_PREVIOUS, 1, "one");
        Files.write(folder.resolve(StateStore.LEGACY_CURRENT), new byte[] {'{'});

        StateStore store = new StateStore(dir, reports::add);
        assertEquals(Optional.of(one), store.read("counter"));
        assertEquals(1, reports.size());
        assertTrue(reports.get(0).startsWith("Cannot read state of module counter: file "
                + folder.resolve(StateStore.LEGACY_CURRENT) + " is damaged ("), reports.get(0));
        assertEquals(2, store.write(record("two")).sequence());
        List<String> left = list(folder);
        assertEquals(3, left.size(), left.toString());
        assertEquals(List.of(StateStore.SLOT_A, StateStore.SLOT_B), left.subList(0, 2));
        assertTrue(left.get(2).startsWith(StateStore.LEGACY_CURRENT + ".corrupt-"), "the damaged file is kept: " + left);
    }

    @Test
    void slotsAndOldFilesTogetherYieldTheHighestSequence(@TempDir Path dir) throws Exception {
        // A crash after the first slot write, before the old files were removed.
        Path folder = dir.resolve("counter");
        legacy(folder, StateStore.LEGACY_CURRENT, 4, "four");
        StateRecord five = legacy(folder, StateStore.SLOT_A, 5, "five");
        legacy(folder, StateStore.LEGACY_PREVIOUS, 3, "three");

        StateStore store = new StateStore(dir, reports::add);
        assertEquals(Optional.of(five), store.read("counter"));
        assertEquals(6, store.write(record("six")).sequence());
        assertEquals(List.of(StateStore.SLOT_A, StateStore.SLOT_B), list(folder));
        assertEquals(five, StateFile.decode(Files.readAllBytes(folder.resolve(StateStore.SLOT_A)), "counter"));
        assertEquals(List.of(), reports);
    }

    /** Writes a record with {@code sequence} into {@code name} as the earlier layout did (no padding). */
    private static StateRecord legacy(Path folder, String name, long sequence, String value) throws IOException {
        StateRecord record = new StateRecord("counter", "1.0.0", 1, Instant.parse("2026-01-01T00:00:00Z")
                .plusSeconds(sequence), sequence, TREES.createObjectNode().put("v", value));
        Files.createDirectories(folder);
        Files.write(folder.resolve(name), StateFile.encode(record));
        return record;
    }

    private static StateRecord record(String value) {
        return StateRecord.of("counter", "1.0.0", 1, TREES.createObjectNode().put("v", value));
    }

    private static List<String> list(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> !f.getFileName().toString().equals(StateStore.LAST_GOOD))
                    .map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
