package dev.hotplug.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The codec on classes of the test's own loader: what round-trips, and how failures read. */
class StateCodecTest {

    private static final ObjectMapper PLAIN = new ObjectMapper();

    private final StateCodec codec = StateCodec.forClassLoader("counter", "1.0.0", StateCodecTest.class.getClassLoader());

    record Item(String name, int quantity) {
    }

    record Schedule(Instant at, LocalDate day, Duration every, Optional<String> note, Optional<String> none) {
    }

    record Inventory(List<Item> items, Map<String, Item> byName, Set<String> tags, Map<String, List<Item>> groups) {
    }

    /** Private final fields and only a private no-argument constructor: set through the fields. */
    static final class Account {
        private final String owner;
        private final long balance;
        private final List<Item> items;
        private final BigDecimal rate;

        private Account() {
            this(null, 0, null, null);
        }

        Account(String owner, long balance, List<Item> items, BigDecimal rate) {
            this.owner = owner;
            this.balance = balance;
            this.items = items;
            this.rate = rate;
        }
    }

    /** Non-final fields with initializers: a property missing from the tree keeps them. */
    static final class Settings {
        private String mode = "fast";
        private int limit = 10;
        private transient String cache = "not carried";
    }

    static final class Empty {
    }

    static final class Slot {
        private final String name;
        private final Object socket;

        Slot(String name, Object socket) {
            this.name = name;
            this.socket = socket;
        }
    }

    static final class Rack {
        private final List<Slot> items = new ArrayList<>();
    }

    static final class Node {
        private String label = "n";
        private Node next;
    }

    /** A lifecycle class with @State-style fields, one of them final. */
    static final class Lifecycle {
        static int shared = 1;
        private long count = 5;
        private final Map<String, Integer> seen = new HashMap<>(Map.of("initial", 1));
        private String untouched = "initial";
        private List<Item> items = List.of();
    }

    private static void load(Map<String, List<Item>> state) {
        // Only its generic parameter type is used: what the framework passes for a @Load parameter.
    }

    @Test
    void recordsRoundTrip() {
        Item item = new Item("bolt", 3);
        JsonNode tree = codec.encode(item);
        assertEquals("{\"name\":\"bolt\",\"quantity\":3}", tree.toString());
        assertEquals(item, codec.decode(tree, Item.class));
    }

    @Test
    void classWithPrivateFinalFieldsRoundTrips() {
        Account account = new Account("ada", 42, List.of(new Item("a", 1)), new BigDecimal("1.10"));
        JsonNode tree = codec.encode(account);
        Account back = (Account) codec.decode(tree, Account.class);
        assertEquals("ada", back.owner);
        assertEquals(42, back.balance);
        assertEquals(List.of(new Item("a", 1)), back.items);
        assertEquals(new BigDecimal("1.10"), back.rate, "the scale survives");
    }

    @Test
    void javaTimeIsWrittenAsIsoStringsAndOptionalAsValueOrNull() {
        Schedule schedule = new Schedule(Instant.parse("2026-03-01T10:15:30.123Z"), LocalDate.of(2026, 3, 1),
                Duration.ofSeconds(90), Optional.of("hi"), Optional.empty());
        JsonNode tree = codec.encode(schedule);
        assertEquals("2026-03-01T10:15:30.123Z", tree.get("at").textValue());
        assertEquals("2026-03-01", tree.get("day").textValue());
        assertEquals("PT1M30S", tree.get("every").textValue());
        assertEquals("hi", tree.get("note").textValue());
        assertTrue(tree.get("none").isNull());
        assertEquals(schedule, codec.decode(tree, Schedule.class));
    }

    @Test
    void collectionsAndNestedTypesRoundTrip() {
        Map<String, Item> byName = new LinkedHashMap<>();
        byName.put("a", new Item("a", 1));
        byName.put("b", new Item("b", 2));
        Inventory inventory = new Inventory(List.of(new Item("a", 1), new Item("b", 2)), byName,
                new TreeSet<>(Set.of("x", "y")), Map.of("g", List.of(new Item("c", 3))));
        assertEquals(inventory, codec.decode(codec.encode(inventory), Inventory.class));
    }

    @Test
    void genericParameterTypeOfALoadMethodIsBuilt() throws Exception {
        Type type = StateCodecTest.class.getDeclaredMethod("load", Map.class).getGenericParameterTypes()[0];
        Map<String, List<Item>> state = Map.of("left", List.of(new Item("a", 1)), "right", List.of());
        Object back = codec.decode(codec.encode(state), type);
        assertEquals(state, back);
        Object first = ((Map<?, ?>) back).get("left");
        assertInstanceOf(Item.class, ((List<?>) first).get(0), "elements are built as Item, not left as maps");
    }

    @Test
    void unknownPropertiesAreIgnoredAndMissingOnesTakeDefaults() throws Exception {
        JsonNode tree = PLAIN.readTree("{\"limit\":3,\"removedInV2\":{\"deep\":[1,2]},\"cache\":\"x\"}");
        Settings settings = (Settings) codec.decode(tree, Settings.class);
        assertEquals(3, settings.limit);
        assertEquals("fast", settings.mode, "a missing field keeps its initializer");
        assertEquals("not carried", settings.cache, "transient fields are not carried");
        assertFalse(codec.encode(settings).has("cache"));

        Schedule schedule = (Schedule) codec.decode(PLAIN.readTree("{\"day\":\"2026-01-02\"}"), Schedule.class);
        assertEquals(new Schedule(null, LocalDate.of(2026, 1, 2), null, Optional.empty(), Optional.empty()), schedule);
        Item item = (Item) codec.decode(PLAIN.readTree("{\"name\":\"only\"}"), Item.class);
        assertEquals(new Item("only", 0), item);
    }

    @Test
    void nullStateAndEmptyClasses() {
        assertSame(NullNode.getInstance(), codec.encode(null));
        assertNull(codec.decode(NullNode.getInstance(), Item.class));
        assertNull(codec.decode(null, Item.class));
        assertEquals(0, codec.decode(null, int.class));
        assertEquals("{}", codec.encode(new Empty()).toString());
        assertInstanceOf(Empty.class, codec.decode(codec.encode(new Empty()), Empty.class));
    }

    @Test
    void aThreadInStateFailsWithItsFieldPath() {
        Rack rack = new Rack();
        rack.items.add(new Slot("a", "fine"));
        rack.items.add(new Slot("b", 7));
        rack.items.add(new Slot("c", Thread.currentThread()));
        StateException e = assertThrows(StateException.class, () -> codec.encode(rack));
        assertTrue(e.getMessage().startsWith("Cannot encode state of module counter: field items[2].socket: "
                + "java.lang.Thread is not state data"), e.getMessage());
        assertEquals("counter", e.module());
        assertEquals("1.0.0", e.version());
    }

    /** A worker thread of the framework's, or a module's own Thread subclass: not a JDK class, still no state. */
    static final class Worker extends Thread {
        final String task = "count";
    }

    @Test
    void aSubclassOfAJdkClassIsRefusedLikeTheJdkClass() {
        StateException e = assertThrows(StateException.class, () -> codec.encode(new Slot("x", new Worker())));
        assertTrue(e.getMessage().contains("field socket: " + Worker.class.getName() + " is not state data (it extends "
                + "java.lang.Thread, a JDK class"), e.getMessage());
        StateException read = assertThrows(StateException.class,
                () -> codec.decode(PLAIN.createObjectNode().put("task", "t"), Worker.class));
        assertTrue(read.getMessage().contains(Worker.class.getName() + " is not state data"), read.getMessage());
    }

    @Test
    void aBareObjectOrALockIsRefusedRatherThanWrittenHollow() {
        StateException bare = assertThrows(StateException.class, () -> codec.encode(new Slot("x", new Object())));
        assertTrue(bare.getMessage().contains("field socket: java.lang.Object is not state data"), bare.getMessage());
        StateException lock = assertThrows(StateException.class,
                () -> codec.encode(new Slot("x", new java.util.concurrent.locks.ReentrantLock())));
        assertTrue(lock.getMessage().contains("field socket: java.util.concurrent.locks.ReentrantLock is not state data"),
                lock.getMessage());
        StateException read = assertThrows(StateException.class,
                () -> codec.decode(PLAIN.createObjectNode().put("name", "t"), Thread.class));
        assertTrue(read.getMessage().contains("java.lang.Thread is not state data"), read.getMessage());
    }

    @Test
    void aSelfCycleFailsWithItsFieldPath() {
        Node node = new Node();
        node.next = new Node();
        node.next.next = node.next;
        StateException e = assertThrows(StateException.class, () -> codec.encode(node));
        assertTrue(e.getMessage().startsWith("Cannot encode state of module counter: field next.next: "), e.getMessage());
        assertTrue(e.getMessage().contains("self-reference"), e.getMessage());
    }

    @Test
    void aLongCycleFailsWithoutOverflowingTheMessage() {
        Node first = new Node();
        Node second = new Node();
        first.next = second;
        second.next = first;
        StateException e = assertThrows(StateException.class, () -> codec.encode(first));
        assertTrue(e.getMessage().startsWith("Cannot encode state of module counter: field next.next.next"), e.getMessage());
        assertTrue(e.getMessage().length() < 1000, "path is cut: " + e.getMessage().length());
    }

    @Test
    void aTreeThatDoesNotFitFailsWithItsFieldPath() throws Exception {
        JsonNode tree = PLAIN.readTree("{\"items\":[{\"name\":\"a\",\"quantity\":1},{\"name\":\"b\",\"quantity\":\"many\"}]}");
        StateException e = assertThrows(StateException.class, () -> codec.decode(tree, Inventory.class));
        assertTrue(e.getMessage().startsWith("Cannot decode state of module counter as " + Inventory.class.getTypeName()
                + ": field items[1].quantity: "), e.getMessage());
        assertTrue(e.getMessage().contains("many"), e.getMessage());
    }

    @Test
    void stateFieldsRoundTripByName() throws Exception {
        Lifecycle old = new Lifecycle();
        old.count = 99;
        old.seen.put("more", 2);
        old.items = List.of(new Item("z", 26));
        ObjectNode tree = codec.encodeFields(old, fields("count", "seen", "items"));
        assertEquals(Set.of("count", "seen", "items"), Set.copyOf(iterable(tree.fieldNames())));

        Lifecycle fresh = new Lifecycle();
        codec.decodeFields(tree, fresh, fields("count", "seen", "items", "untouched"));
        assertEquals(99, fresh.count);
        assertEquals(Map.of("initial", 1, "more", 2), fresh.seen, "a final field is set too");
        assertEquals(List.of(new Item("z", 26)), fresh.items);
        assertEquals("initial", fresh.untouched, "a field absent from the tree keeps its initial value");
    }

    @Test
    void stateFieldsAreSetAllOrNothing() throws Exception {
        JsonNode tree = PLAIN.readTree("{\"count\":7,\"items\":[{\"name\":\"a\",\"quantity\":\"x\"}]}");
        Lifecycle target = new Lifecycle();
        StateException e = assertThrows(StateException.class,
                () -> codec.decodeFields(tree, target, fields("count", "items")));
        assertTrue(e.getMessage().startsWith("Cannot decode state of module counter: field items[0].quantity: "),
                e.getMessage());
        assertEquals(5, target.count, "nothing was set");

        codec.decodeFields(NullNode.getInstance(), target, fields("count"));
        assertEquals(5, target.count);
        StateException notObject = assertThrows(StateException.class,
                () -> codec.decodeFields(PLAIN.readTree("[1]"), target, fields("count")));
        assertTrue(notObject.getMessage().contains("need a JSON object, found an array"), notObject.getMessage());
    }

    @Test
    void staticOrDuplicateStateFieldsAreRefused() throws Exception {
        Lifecycle instance = new Lifecycle();
        StateException statics = assertThrows(StateException.class,
                () -> codec.encodeFields(instance, List.of(Lifecycle.class.getDeclaredField("shared"))));
        assertTrue(statics.getMessage().contains("field shared of " + Lifecycle.class.getName() + " is static"),
                statics.getMessage());
        Field count = Lifecycle.class.getDeclaredField("count");
        StateException twice = assertThrows(StateException.class,
                () -> codec.encodeFields(instance, List.of(count, count)));
        assertTrue(twice.getMessage().contains("two @State fields are named count"), twice.getMessage());
    }

    @Test
    void aReleasedCodecRefusesWork() {
        StateCodec released = StateCodec.forClassLoader("gone", null, StateCodecTest.class.getClassLoader());
        released.release();
        released.release();
        StateException e = assertThrows(StateException.class, () -> released.encode(new Item("a", 1)));
        assertEquals("Cannot encode state of module gone: the codec of this generation was released", e.getMessage());
        assertThrows(StateException.class, () -> released.decode(NullNode.getInstance(), Item.class));
    }

    private static List<Field> fields(String... names) throws NoSuchFieldException {
        List<Field> fields = new ArrayList<>();
        for (String name : names) {
            fields.add(Lifecycle.class.getDeclaredField(name));
        }
        return fields;
    }

    private static <T> List<T> iterable(java.util.Iterator<T> iterator) {
        List<T> out = new ArrayList<>();
        iterator.forEachRemaining(out::add);
        return out;
    }
}
