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
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
        assertTrue(Files.isRegularFile(dir.resolve("counter").resolve(StateStore.CURRENT)));
        assertEquals(List.of(), reports);
    }

    @Test
    void theSequenceIncreasesAcrossWritesAndRestarts(@TempDir Path dir) {
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
        assertTrue(Files.isRegularFile(dir.resolve("counter").resolve(StateStore.PREVIOUS)));
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
        assertThrows(StateException.class, () -> store.keepLastGood("a/b", dir));
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
        store.keepLastGood("counter", v1);
        Path kept = store.lastGood("counter").orElseThrow();
        assertArrayEquals(Files.readAllBytes(v1), Files.readAllBytes(kept));

        store.keepLastGood("counter", v2);
        assertArrayEquals(Files.readAllBytes(v2), Files.readAllBytes(new StateStore(dir.resolve("state"), reports::add)
                .lastGood("counter").orElseThrow()));
        assertFalse(Files.exists(kept.resolveSibling(StateStore.LAST_GOOD_TEMP)));

        StateException missing = assertThrows(StateException.class,
                () -> store.keepLastGood("counter", dir.resolve("nope.jar")));
        assertTrue(missing.getMessage().startsWith("Cannot keep the last good jar of module counter: "), missing.getMessage());
        assertArrayEquals(Files.readAllBytes(v2), Files.readAllBytes(kept), "a failed copy leaves the kept jar alone");
    }

    private static StateRecord record(int n) {
        return StateRecord.of("counter", "1.0.0", 1, TREES.createObjectNode().put("n", n));
    }
}
