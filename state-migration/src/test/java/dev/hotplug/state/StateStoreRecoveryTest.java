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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged slots and interrupted writes: the other slot's good state survives, nothing damaged is ever loaded. After
 * two writes {@code a.state} holds sequence 1 and {@code b.state} sequence 2 (the newest); the third write goes
 * over {@code a.state}.
 */
class StateStoreRecoveryTest {

    private static final ObjectMapper TREES = new ObjectMapper();

    private final List<String> reports = new CopyOnWriteArrayList<>();

    @Test
    void aDamagedNewestSlotFallsBackToTheOtherSlot(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        StateRecord a = store.write(record("a"));
        store.write(record("b"));
        Path newest = dir.resolve("counter").resolve(StateStore.SLOT_B);
        Files.write(newest, "\u0000\u00ff garbage \n\n{".getBytes(StandardCharsets.ISO_8859_1));

        assertEquals(Optional.of(a), new StateStore(dir, reports::add).read("counter"));

        assertEquals(1, reports.size(), reports.toString());
        String line = reports.get(0);
        assertTrue(line.startsWith("Cannot read state of module counter: file " + newest + " is damaged ("), line);
        assertFalse(line.contains("\n"));
        assertFalse(Files.exists(newest), "moved aside");
        List<Path> aside = aside(dir, StateStore.SLOT_B + ".corrupt-");
        assertEquals(1, aside.size());
        assertTrue(line.endsWith("moved aside to " + aside.get(0).getFileName() + ", not loaded"), line);
        assertEquals("\u0000\u00ff garbage \n\n{", Files.readString(aside.get(0), StandardCharsets.ISO_8859_1),
                "kept as it was");
    }

    @Test
    void writingAfterAFallbackContinuesTheSequenceAndKeepsTheGoodSlot(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        StateRecord a = store.write(record("a"));
        store.write(record("b"));
        Path folder = dir.resolve("counter");
        Files.write(folder.resolve(StateStore.SLOT_B), new byte[] {1, 2, 3});
        StateStore restarted = new StateStore(dir, reports::add);
        StateRecord c = restarted.write(record("c"));
        assertEquals(2, c.sequence(), "the good slot (1) + 1");
        assertEquals(Optional.of(c), restarted.read("counter"));
        assertEquals(1, reports.size());
        assertTrue(Files.isRegularFile(folder.resolve(StateStore.SLOT_B)), "the moved-aside slot is created again");
        assertEquals(a, StateFile.decode(Files.readAllBytes(folder.resolve(StateStore.SLOT_A)), "counter"),
                "the good slot was not written over");

        StateRecord d = restarted.write(record("d"));
        assertEquals(3, d.sequence());
        Files.write(folder.resolve(StateStore.SLOT_A), new byte[] {4});
        assertEquals(Optional.of(c), new StateStore(dir, reports::add).read("counter"),
                "c stayed the previous state while d was written");
    }

    @Test
    void aChangedByteOrAnotherModulesFileIsDetected(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        StateRecord a = store.write(record("a"));
        store.write(record("b"));
        Path newest = dir.resolve("counter").resolve(StateStore.SLOT_B);
        byte[] bytes = Files.readAllBytes(newest);
        int at = new String(bytes, StandardCharsets.UTF_8).indexOf("\"v\":\"b\"") + 5;
        bytes[at] = 'x';
        Files.write(newest, bytes);
        assertEquals(Optional.of(a), new StateStore(dir, reports::add).read("counter"));
        assertTrue(reports.get(0).contains("checksum mismatch"), reports.get(0));

        StateStore other = new StateStore(dir, reports::add);
        other.write(StateRecord.of("other", "1.0.0", 1, TREES.createObjectNode()));
        Files.copy(dir.resolve("counter").resolve(StateStore.SLOT_A), dir.resolve("other").resolve(StateStore.SLOT_A),
                StandardCopyOption.REPLACE_EXISTING);
        assertEquals(Optional.empty(), new StateStore(dir, reports::add).read("other"));
        assertTrue(reports.get(1).contains("written for module counter, not other"), reports.get(1));
    }

    @Test
    void aSlotCutAtAnyByteIsNeverReadInPart(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        StateRecord a = store.write(record("a"));
        StateRecord b = store.write(record("b"));
        Path folder = dir.resolve("counter");
        byte[] whole = Files.readAllBytes(folder.resolve(StateStore.SLOT_B));
        byte[] older = Files.readAllBytes(folder.resolve(StateStore.SLOT_A));

        for (int length = 0; length < whole.length; length++) {
            Files.write(folder.resolve(StateStore.SLOT_B), Arrays.copyOf(whole, length));
            Optional<StateRecord> read = new StateStore(dir, reports::add).read("counter");
            assertEquals(Optional.of(a), read, "cut at " + length + " of " + whole.length);
            assertArrayEquals(older, Files.readAllBytes(folder.resolve(StateStore.SLOT_A)), "the older slot untouched");
        }
        assertEquals(whole.length, reports.size());
        assertEquals(whole.length, aside(dir, StateStore.SLOT_B + ".corrupt-").size(), "every cut file is kept aside");

        Files.write(folder.resolve(StateStore.SLOT_B), whole);
        assertEquals(Optional.of(b), new StateStore(dir, reports::add).read("counter"), "the whole file is read");
    }

    @Test
    void aTornWriteOverALongerRecordIsNeverReadInPart(@TempDir Path dir) throws Exception {
        tornWrites(dir, "a-much-longer-value-than-the-next-one-so-the-next-is-padded", "c");
    }

    @Test
    void aTornWriteThatGrowsTheSlotIsNeverReadInPart(@TempDir Path dir) throws Exception {
        tornWrites(dir, "a", "c-a-much-longer-value-than-the-first-so-the-slot-grows");
    }

    /**
     * Writes a, b and c for real, then puts into c's slot every state a crash can leave there: the first k bytes of
     * c's file over a's old bytes, with the rest of the file either a's bytes or zeros (a size made durable before
     * the data).
     */
    private void tornWrites(Path dir, String first, String third) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        store.write(record(first));
        StateRecord b = store.write(record("b"));
        Path folder = dir.resolve("counter");
        Path slotA = folder.resolve(StateStore.SLOT_A);
        byte[] old = Files.readAllBytes(slotA);
        StateRecord c = store.write(record(third));
        byte[] next = Files.readAllBytes(slotA);
        assertFalse(Arrays.equals(old, next));

        int damaged = 0;
        for (int k = 0; k < next.length; k++) {
            for (boolean zeros : new boolean[] {false, true}) {
                byte[] torn = new byte[Math.max(old.length, zeros ? next.length : k)];
                System.arraycopy(next, 0, torn, 0, k);
                if (k < old.length) {
                    System.arraycopy(old, k, torn, k, old.length - k);
                }
                Files.write(slotA, torn);
                Optional<StateRecord> read = new StateStore(dir, reports::add).read("counter");
                assertEquals(Optional.of(b), read, "torn after " + k + " of " + next.length + (zeros ? ", zeros" : ""));
                if (!Files.exists(slotA)) {
                    damaged++;
                }
            }
        }
        assertTrue(damaged > next.length, "most torn files are damaged, not an older record: " + damaged);
        assertEquals(damaged, reports.size(), "every damaged file is reported");
        assertEquals(damaged, aside(dir, StateStore.SLOT_A + ".corrupt-").size(), "and kept aside");

        Files.write(slotA, next);
        assertEquals(Optional.of(c), new StateStore(dir, reports::add).read("counter"), "the whole write is read");
    }

    @Test
    void aTornWriteFallsBackAndTheNextWriteReplacesIt(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        store.write(record("a"));
        StateRecord b = store.write(record("b"));
        Path slotA = dir.resolve("counter").resolve(StateStore.SLOT_A);
        byte[] old = Files.readAllBytes(slotA);
        byte[] next = Files.readAllBytes(dir.resolve("counter").resolve(StateStore.SLOT_B));
        System.arraycopy(next, 0, old, 0, old.length / 2);
        Files.write(slotA, old);

        StateStore restarted = new StateStore(dir, reports::add);
        assertEquals(Optional.of(b), restarted.read("counter"));
        StateRecord c = restarted.write(record("c"));
        assertEquals(3, c.sequence());
        assertEquals(Optional.of(c), new StateStore(dir, reports::add).read("counter"));
        Files.write(slotA, new byte[0]);
        assertEquals(Optional.of(b), new StateStore(dir, reports::add).read("counter"), "b is kept as previous");
        assertEquals(2, reports.size(), reports.toString());
    }

    @Test
    void whenEverySlotIsDamagedThereIsNoStateAndAllAreKeptAside(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        store.write(record("a"));
        store.write(record("b"));
        Path folder = dir.resolve("counter");
        Files.write(folder.resolve(StateStore.SLOT_B), new byte[] {'{'});
        Files.write(folder.resolve(StateStore.SLOT_A), new byte[0]);
        assertEquals(Optional.empty(), new StateStore(dir, reports::add).read("counter"));
        assertEquals(2, reports.size());
        assertEquals(2, aside(dir, ".corrupt-").size());

        StateStore restarted = new StateStore(dir, reports::add);
        assertEquals(1, restarted.write(record("c")).sequence(), "a new start once nothing valid is left");
        assertEquals(2, aside(dir, ".corrupt-").size(), "the damaged files stay aside");
    }

    private static StateRecord record(String value) {
        return StateRecord.of("counter", "1.0.0", 1, TREES.createObjectNode().put("v", value));
    }

    static List<Path> aside(Path dir, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("counter"))) {
            return files.filter(f -> f.getFileName().toString().contains(prefix)).toList();
        }
    }
}
