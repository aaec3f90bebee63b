package dev.hotplug.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hotplug.api.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * What a reload does: v1's classes, in one loader, write the state; v2's classes of the same names, in another
 * loader, read it, with a field added and one removed.
 */
class StateCodecAcrossLoadersTest {

    private static final String ENTRY = """
            package com.acme;
            public record Entry(String key, java.time.Instant at) {
            }
            """;

    private static final String STATS_V1 = """
            package com.acme;
            import java.util.List;
            public final class Stats {
                private final long count;
                private final String removedInV2;
                private final List<Entry> entries;
                public Stats(long count, String removedInV2, List<Entry> entries) {
                    this.count = count;
                    this.removedInV2 = removedInV2;
                    this.entries = entries;
                }
                public static Stats sample() {
                    return new Stats(41, "gone", List.of(new Entry("a", java.time.Instant.parse("2026-01-01T00:00:00Z"))));
                }
            }
            """;

    private static final String STATS_V2 = """
            package com.acme;
            import java.util.ArrayList;
            import java.util.List;
            public final class Stats {
                private long count;
                private List<Entry> entries = new ArrayList<>();
                private int limit = 10;
                public String describe() {
                    return count + " " + entries + " limit=" + limit;
                }
            }
            """;

    private static final String COUNTER_V1 = """
            package com.acme;
            import dev.hotplug.api.State;
            import java.util.*;
            public class Counter {
                @State private long count;
                @State private final Map<String, List<Entry>> byKey = new HashMap<>();
                @State private String dropped = "v1 only";
                public static Object unload() {
                    return Map.of("k", List.of(new Entry("k1", java.time.Instant.EPOCH)));
                }
                public void fill() {
                    count = 7;
                    byKey.put("x", List.of(new Entry("x1", java.time.Instant.EPOCH)));
                }
            }
            """;

    private static final String COUNTER_V2 = """
            package com.acme;
            import dev.hotplug.api.State;
            import java.util.*;
            public class Counter {
                @State private long count;
                @State private final Map<String, List<Entry>> byKey = new HashMap<>();
                @State private String added = "v2 default";
                public Map<String, List<Entry>> received;
                public void load(Map<String, List<Entry>> state) {
                    received = state;
                }
                public String describe() {
                    return count + " " + byKey + " " + added;
                }
            }
            """;

    private URLClassLoader v1;
    private URLClassLoader v2;

    @BeforeEach
    void build(@TempDir Path dir) {
        v1 = TestJars.loader(TestJars.module("counter", "1.0.0").source("com.acme.Entry", ENTRY)
                .source("com.acme.Stats", STATS_V1).source("com.acme.Counter", COUNTER_V1).writeTo(dir.resolve("v1")));
        v2 = TestJars.loader(TestJars.module("counter", "2.0.0").source("com.acme.Entry", ENTRY)
                .source("com.acme.Stats", STATS_V2).source("com.acme.Counter", COUNTER_V2).writeTo(dir.resolve("v2")));
    }

    @AfterEach
    void close() {
        TestJars.close(v1);
        TestJars.close(v2);
    }

    @Test
    void v1StateBecomesTheV2ClassOfTheSameName() throws Exception {
        StateCodec old = StateCodec.forClassLoader("counter", "1.0.0", v1);
        StateCodec fresh = StateCodec.forClassLoader("counter", "2.0.0", v2);
        Class<?> statsV1 = v1.loadClass("com.acme.Stats");
        Class<?> statsV2 = v2.loadClass("com.acme.Stats");
        assertNotSame(statsV1, statsV2);

        JsonNode tree = old.encode(statsV1.getMethod("sample").invoke(null));
        assertEquals("gone", tree.get("removedInV2").textValue());
        Object decoded = fresh.decode(tree, statsV2);

        assertSame(statsV2, decoded.getClass());
        assertEquals("41 [Entry[key=a, at=2026-01-01T00:00:00Z]] limit=10", statsV2.getMethod("describe").invoke(decoded),
                "the removed field is ignored, the added one keeps its initializer");
    }

    @Test
    void genericLoadParameterIsBuiltFromTheNewLoadersClasses() throws Exception {
        StateCodec old = StateCodec.forClassLoader("counter", "1.0.0", v1);
        StateCodec fresh = StateCodec.forClassLoader("counter", "2.0.0", v2);
        JsonNode tree = old.encode(v1.loadClass("com.acme.Counter").getMethod("unload").invoke(null));

        Class<?> counter = v2.loadClass("com.acme.Counter");
        Method load = counter.getMethod("load", Map.class);
        Type declared = load.getGenericParameterTypes()[0];
        Object instance = counter.getConstructor().newInstance();
        load.invoke(instance, fresh.decode(tree, declared));

        Map<?, ?> received = (Map<?, ?>) counter.getField("received").get(instance);
        Object entry = ((List<?>) received.get("k")).get(0);
        assertSame(v2.loadClass("com.acme.Entry"), entry.getClass());
        assertEquals("Entry[key=k1, at=1970-01-01T00:00:00Z]", entry.toString());
    }

    @Test
    void stateFieldsMoveToTheNewVersionByName() throws Exception {
        StateCodec old = StateCodec.forClassLoader("counter", "1.0.0", v1);
        StateCodec fresh = StateCodec.forClassLoader("counter", "2.0.0", v2);
        Class<?> counterV1 = v1.loadClass("com.acme.Counter");
        Object before = counterV1.getConstructor().newInstance();
        counterV1.getMethod("fill").invoke(before);
        ObjectNode tree = old.encodeFields(before, stateFields(counterV1));
        assertEquals("v1 only", tree.get("dropped").textValue());

        Class<?> counterV2 = v2.loadClass("com.acme.Counter");
        Object after = counterV2.getConstructor().newInstance();
        fresh.decodeFields(tree, after, stateFields(counterV2));

        assertEquals("7 {x=[Entry[key=x1, at=1970-01-01T00:00:00Z]]} v2 default", counterV2.getMethod("describe").invoke(after));
        assertFalse(tree.has("received"), "only @State fields are carried");
    }

    private static List<Field> stateFields(Class<?> type) {
        List<Field> fields = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            if (field.isAnnotationPresent(State.class)) {
                fields.add(field);
            }
        }
        return fields;
    }
}
