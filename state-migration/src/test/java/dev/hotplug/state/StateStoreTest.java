package dev.hotplug.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hotplug.testkit.ModuleJarBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store's ordinary work: writing, reading, sequences, the last good jar. */
class StateStoreTest {

    private static final ObjectMapper TREES = new ObjectMapper();

    private final List<String> reports = new CopyOnWriteArrayList<>();

    @Test
    void writesAndReadsBackEveryField(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        JsonNode state = TREES.readTree("{\"count\":3,\"items\":[\"a\",\"b\"],\"nested\":{\"at\":\"2026-01-01T00:00:00Z\"}}");
        Instant at = Instant.parse("2026-02-03T04:05:06.789Z");
        StateRecord written = store.write(new StateRecord("counter", "1.2.0", 2, at, 0, state));

        assertEquals(new StateRecord("counter", "1.2.0", 2, at, 1, state), written);
        assertEquals(Optional.of(written), store.read("counter"));
        assertEquals(Optional.of(written), new StateStore(dir, reports::add).read("counter"), "after a restart too");
        assertEquals(List.of(StateStore.SLOT_A), list(dir.resolve("counter")), "the first write creates one slot");
        assertEquals(List.of(), reports);
    }

    /** Past Jackson's default read limits, which guard against hostile input; a state we wrote is none. */
    @Test
    void aStateOverJacksonsReadLimitsReadsBackAfterARestart(@TempDir Path dir) {
        ObjectNode state = TREES.createObjectNode();
        state.put("blob", "x".repeat(21_000_000));
        state.put("big", new BigInteger("1" + "0".repeat(1500)));
        state.put("k".repeat(60_000), 1);
        StateRecord written = new StateStore(dir, reports::add).write(StateRecord.of("counter", "1.0.0", 1, state));

        Optional<StateRecord> read = new StateStore(dir, reports::add).read("counter");
        // Not assertEquals: a failure would print 21 MB.
        assertTrue(read.isPresent() && read.get().equals(written), "the record reads back whole; reports: " + reports);
        assertEquals(List.of(), reports, "nothing was moved aside as damaged");
    }

    @Test
    void theSequenceIncreasesAcrossWritesAndRestarts(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        assertEquals(1, store.write(record(1)).sequence());
        assertEquals(2, store.write(new StateRecord("counter", "1.0.0", 1, null, 99, TREES.createObjectNode())).sequence(),
                "the store assigns the sequence, whatever the record carries");
        assertEquals(3, store.write(record(3)).sequence());
        StateStore restarted = new StateStore(dir, reports::add);
        assertEquals(4, restarted.write(record(4)).sequence());
        StateRecord newest = restarted.read("counter").orElseThrow();
        assertEquals(4, newest.sequence());
        assertEquals(4, newest.state().get("n").intValue());
        assertEquals(List.of(StateStore.SLOT_A, StateStore.SLOT_B), list(dir.resolve("counter")));
        assertEquals(3, StateFile.decode(Files.readAllBytes(dir.resolve("counter").resolve(StateStore.SLOT_A)), "counter")
                .sequence(), "the other slot holds the previous state");
    }

    @Test
    void slotsAreOverwrittenInPlaceOnceBothExist(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        store.write(record(1));
        store.write(record(2));
        Path folder = dir.resolve("counter");
        Object keyA = fileKey(folder.resolve(StateStore.SLOT_A));
        Object keyB = fileKey(folder.resolve(StateStore.SLOT_B));
        assertTrue(keyA != null && keyB != null, "this file system reports file keys");
        for (int i = 3; i <= 40; i++) {
            StateRecord written = store.write(StateRecord.of("counter", "1.0.0", 1,
                    TREES.createObjectNode().put("n", i).put("pad", "x".repeat((i * 7) % 30))));
            assertEquals(i, written.sequence());
            assertEquals(keyA, fileKey(folder.resolve(StateStore.SLOT_A)), "same file after write " + i);
            assertEquals(keyB, fileKey(folder.resolve(StateStore.SLOT_B)), "same file after write " + i);
            assertEquals(List.of(StateStore.SLOT_A, StateStore.SLOT_B), list(folder), "nothing created or renamed");
            assertEquals(Optional.of(written), new StateStore(dir, reports::add).read("counter"));
        }
        assertEquals(List.of(), reports);
    }

    @Test
    void aShorterRecordIsPaddedToTheSlotsSizeAndReadsBackExactly(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        Path slotA = dir.resolve("counter").resolve(StateStore.SLOT_A);
        StateRecord longOne = store.write(StateRecord.of("counter", "1.0.0", 1,
                TREES.createObjectNode().put("text", "y".repeat(500))));
        long size = Files.size(slotA);
        assertEquals(StateFile.encode(longOne).length, size);
        store.write(record(2));
        StateRecord shortOne = store.write(record(3));
        byte[] bytes = Files.readAllBytes(slotA);
        assertEquals(size, bytes.length, "the size is unchanged");
        int recordLength = StateFile.encode(shortOne).length;
        assertTrue(recordLength < size);
        for (int i = recordLength; i < bytes.length; i++) {
            assertEquals(' ', bytes[i], "padding at " + i);
        }
        assertEquals(Optional.of(shortOne), store.read("counter"));
        assertEquals(Optional.of(shortOne), new StateStore(dir, reports::add).read("counter"), "after a restart too");

        StateRecord longer = store.write(StateRecord.of("counter", "1.0.0", 1,
                TREES.createObjectNode().put("text", "z".repeat(900))));
        StateRecord grown = store.write(StateRecord.of("counter", "1.0.0", 1,
                TREES.createObjectNode().put("text", "w".repeat(700))));
        assertEquals(StateFile.encode(longer).length, Files.size(dir.resolve("counter").resolve(StateStore.SLOT_B)),
                "a longer record grows the file");
        assertEquals(Optional.of(grown), new StateStore(dir, reports::add).read("counter"));
        assertEquals(List.of(), reports);
    }

    @Test
    void onlySpacesMayFollowARecord(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        StateRecord first = store.write(record(1));
        store.write(record(2));
        Path slotB = dir.resolve("counter").resolve(StateStore.SLOT_B);
        byte[] bytes = Files.readAllBytes(slotB);
        byte[] padded = Arrays.copyOf(bytes, bytes.length + 10);
        Arrays.fill(padded, bytes.length, padded.length, (byte) ' ');
        assertEquals(2, StateFile.decode(padded, "counter").sequence());
        padded[padded.length - 1] = 'x';
        Files.write(slotB, padded);
        assertEquals(Optional.of(first), new StateStore(dir, reports::add).read("counter"));
        assertEquals(1, reports.size());
        assertTrue(reports.get(0).contains("is damaged (wrong size: "), reports.get(0));
    }

    @Test
    void timeIsStampedWhenNotGivenAndNullStateIsKept(@TempDir Path dir) {
        StateStore store = new StateStore(dir, reports::add);
        Instant before = Instant.now();
        StateRecord written = store.write(StateRecord.of("counter", null, 1, null));
        assertFalse(written.writtenAt().isBefore(before));
        StateRecord read = store.read("counter").orElseThrow();
        assertEquals(NullNode.getInstance(), read.state());
        assertEquals(null, read.moduleVersion());
        assertEquals(written.writtenAt(), read.writtenAt());
    }

    @Test
    void numbersComeBackExactly(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        ObjectNode state = TREES.createObjectNode();
        state.set("price", DecimalNode.valueOf(new BigDecimal("1.10")));
        state.set("big", BigIntegerNode.valueOf(new BigInteger("123456789012345678901234567890")));
        state.put("tiny", 1e-30);
        store.write(StateRecord.of("shop", "1.0.0", 1, state));
        JsonNode back = store.read("shop").orElseThrow().state();
        assertEquals("1.10", back.get("price").decimalValue().toPlainString());
        assertEquals("123456789012345678901234567890", back.get("big").bigIntegerValue().toString());
        assertEquals(1e-30, back.get("tiny").doubleValue());
    }

    @Test
    void anUnknownModuleHasNoStateAndBadNamesAreRefused(@TempDir Path dir) {
        StateStore store = new StateStore(dir, reports::add);
        assertEquals(Optional.empty(), store.read("nobody"));
        assertEquals(Optional.empty(), store.lastGood("nobody"));
        StateException e = assertThrows(StateException.class, () -> store.read("../etc"));
        assertEquals("Cannot read state of module ../etc: not a module name ([a-z0-9][a-z0-9._-]*)", e.getMessage());
        assertThrows(StateException.class, () -> store.write(StateRecord.of("Upper", null, 1, null)));
        assertThrows(StateException.class, () -> store.keepLastGood("a/b", dir, null));
    }

    @Test
    void modulesWriteConcurrently(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, reports::add);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int m = 0; m < 4; m++) {
                String module = "module-" + m;
                done.add(pool.submit(() -> {
                    for (int i = 1; i <= 25; i++) {
                        assertEquals(i, store.write(StateRecord.of(module, "1.0.0", 1, TREES.createObjectNode().put("i", i)))
                                .sequence());
                        store.read(module).orElseThrow();
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int m = 0; m < 4; m++) {
            StateRecord last = store.read("module-" + m).orElseThrow();
            assertEquals(25, last.sequence());
            assertEquals(25, last.state().get("i").intValue());
        }
        assertEquals(List.of(), reports);
    }

    @Test
    void keepsTheLastGoodJar(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir.resolve("state"), reports::add);
        Path v1 = ModuleJarBuilder.module("counter", "1.0.0").source("com.acme.A", "package com.acme; public class A {}")
                .writeTo(dir.resolve("modules"));
        Path v2 = ModuleJarBuilder.module("counter", "2.0.0").source("com.acme.B", "package com.acme; public class B {}")
                .writeTo(dir.resolve("modules"));
        store.keepLastGood("counter", v1, "counter.jar");
        Path kept = store.lastGood("counter").orElseThrow();
        assertArrayEquals(Files.readAllBytes(v1), Files.readAllBytes(kept));
        assertEquals(Optional.of("counter"), store.moduleDeployedFrom("counter.jar"), "which module a file name held");
        assertEquals(Optional.empty(), store.moduleDeployedFrom("other.jar"));

        store.keepLastGood("counter", v2, null);
        assertEquals(Optional.empty(), store.moduleDeployedFrom("counter.jar"), "a source no longer known is forgotten");
        assertArrayEquals(Files.readAllBytes(v2), Files.readAllBytes(new StateStore(dir.resolve("state"), reports::add)
                .lastGood("counter").orElseThrow()));
        assertFalse(Files.exists(kept.resolveSibling(StateStore.LAST_GOOD_TEMP)));

        StateException missing = assertThrows(StateException.class,
                () -> store.keepLastGood("counter", dir.resolve("nope.jar"), "nope.jar"));
        assertTrue(missing.getMessage().startsWith("Cannot keep the last good jar of module counter: "), missing.getMessage());
        assertArrayEquals(Files.readAllBytes(v2), Files.readAllBytes(kept), "a failed copy leaves the kept jar alone");
    }

    private static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    private static List<String> list(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static StateRecord record(int n) {
        return StateRecord.of("counter", "1.0.0", 1, TREES.createObjectNode().put("n", n));
    }
}
