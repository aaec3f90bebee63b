package dev.hotplug.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hotplug.api.Migrate;
import dev.hotplug.api.StateVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLClassLoader;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Migration chains: read from real lifecycle classes, run in order, refused loudly when they cannot run. */
class StateMigratorTest {

    private static final ObjectMapper TREES = new ObjectMapper();

    private static final String COUNTER_V3 = """
            package com.acme;
            import com.fasterxml.jackson.databind.node.ObjectNode;
            import dev.hotplug.api.Migrate;
            import dev.hotplug.api.StateVersion;
            @StateVersion(3)
            public class Counter {
                @Migrate(from = 2)
                static ObjectNode addUnit(ObjectNode state) {
                    state.put("unit", "ms");
                    return state;
                }
                @Migrate(from = 1)
                private static ObjectNode renameCount(ObjectNode state) {
                    state.set("total", state.remove("count"));
                    return state;
                }
            }
            """;

    private static final String COUNTER_GAP = """
            package com.acme;
            import com.fasterxml.jackson.databind.node.ObjectNode;
            import dev.hotplug.api.Migrate;
            import dev.hotplug.api.StateVersion;
            @StateVersion(3)
            public class Counter {
                @Migrate(from = 1)
                static ObjectNode one(ObjectNode state) {
                    return state;
                }
            }
            """;

    @Test
    void runsEveryStepInOrderOnACopy(@TempDir Path dir) throws Exception {
        try (URLClassLoader loader = TestJars.loader(TestJars.module("counter", "3.0.0")
                .source("com.acme.Counter", COUNTER_V3).writeTo(dir))) {
            StateMigrator migrator = StateMigrator.of("counter", "3.0.0", loader.loadClass("com.acme.Counter"));
            assertEquals(3, migrator.currentVersion());
            JsonNode saved = TREES.readTree("{\"count\":12,\"name\":\"c\"}");

            assertEquals(TREES.readTree("{\"name\":\"c\",\"total\":12,\"unit\":\"ms\"}"), migrator.migrate(saved, 1));
            assertEquals(TREES.readTree("{\"count\":12,\"name\":\"c\",\"unit\":\"ms\"}"), migrator.migrate(saved, 2));
            assertEquals(TREES.readTree("{\"count\":12,\"name\":\"c\"}"), saved, "the saved tree is not modified");
            assertSame(saved, migrator.migrate(saved, 3), "nothing to do at the current version");
            migrator.checkMigratable(1);
        }
    }

    @Test
    void aMissingStepIsRefusedNamingIt(@TempDir Path dir) throws Exception {
        try (URLClassLoader loader = TestJars.loader(TestJars.module("counter", "3.0.0")
                .source("com.acme.Counter", COUNTER_GAP).writeTo(dir))) {
            StateMigrator migrator = StateMigrator.of("counter", "3.0.0", loader.loadClass("com.acme.Counter"));
            JsonNode saved = TREES.readTree("{\"count\":1}");
            StateException e = assertThrows(StateException.class, () -> migrator.migrate(saved, 1));
            assertEquals("Cannot migrate state of module counter from version 1 to 3: no @Migrate(from = 2) method in "
                    + "com.acme.Counter", e.getMessage());
            assertEquals("counter", e.module());
            assertEquals("3.0.0", e.version());
            StateException early = assertThrows(StateException.class, () -> migrator.checkMigratable(2));
            assertEquals("Cannot migrate state of module counter from version 2 to 3: no @Migrate(from = 2) method in "
                    + "com.acme.Counter", early.getMessage());
            assertEquals(TREES.readTree("{\"count\":1}"), saved);
        }
    }

    @StateVersion(2)
    static final class Throws {
        @Migrate(from = 1)
        static ObjectNode up(ObjectNode state) {
            throw new IllegalStateException("boom");
        }
    }

    @StateVersion(2)
    static final class ReturnsNull {
        @Migrate(from = 1)
        static ObjectNode up(ObjectNode state) {
            return null;
        }
    }

    @StateVersion(2)
    static final class Fine {
        @Migrate(from = 1)
        static ObjectNode up(ObjectNode state) {
            return state.put("up", true);
        }
    }

    static final class Unversioned {
    }

    @Test
    void aNewerSavedVersionIsRefused() throws Exception {
        StateMigrator migrator = StateMigrator.of("counter", null, Fine.class);
        StateException e = assertThrows(StateException.class, () -> migrator.migrate(TREES.readTree("{}"), 3));
        assertEquals("Cannot migrate state of module counter from version 3 to 2: the saved state is newer than "
                + Fine.class.getName() + "'s @StateVersion(2)", e.getMessage());
        assertThrows(StateException.class, () -> migrator.migrate(TREES.readTree("{}"), 0));
    }

    @Test
    void aThrowingStepIsRefusedWithItsCause() throws Exception {
        StateMigrator migrator = StateMigrator.of("counter", "2.0.0", Throws.class);
        StateException e = assertThrows(StateException.class, () -> migrator.migrate(TREES.readTree("{}"), 1));
        assertEquals("Cannot migrate state of module counter from version 1 to 2: " + Throws.class.getName()
                + ".up (@Migrate(from = 1)) threw java.lang.IllegalStateException: boom", e.getMessage());
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    @Test
    void aStepReturningNullIsRefused() {
        StateMigrator migrator = StateMigrator.of("counter", "2.0.0", ReturnsNull.class);
        StateException e = assertThrows(StateException.class, () -> migrator.migrate(TREES.createObjectNode(), 1));
        assertTrue(e.getMessage().endsWith(ReturnsNull.class.getName() + ".up (@Migrate(from = 1)) returned null"),
                e.getMessage());
    }

    @Test
    void nonObjectStateIsRefusedWhereAStepMustRunAndNoStatePassesThrough() throws Exception {
        StateMigrator migrator = StateMigrator.of("counter", "2.0.0", Fine.class);
        StateException e = assertThrows(StateException.class, () -> migrator.migrate(TREES.readTree("[1,2]"), 1));
        assertTrue(e.getMessage().contains("the saved state is a JSON array, not an object"), e.getMessage());
        assertSame(NullNode.getInstance(), migrator.migrate(NullNode.getInstance(), 1));
        assertNull(migrator.migrate(null, 1));
        assertEquals(TREES.readTree("{\"up\":true}"), migrator.migrate(TREES.createObjectNode(), 1));
    }

    @Test
    void noStateVersionMeansOne() throws Exception {
        StateMigrator migrator = StateMigrator.of("counter", null, Unversioned.class);
        assertEquals(1, migrator.currentVersion());
        JsonNode state = TREES.readTree("[1]");
        assertSame(state, migrator.migrate(state, 1));
        assertThrows(StateException.class, () -> migrator.migrate(state, 2));
    }

    @StateVersion(2)
    static final class NotStatic {
        @Migrate(from = 1)
        ObjectNode up(ObjectNode state) {
            return state;
        }
    }

    @StateVersion(2)
    static final class WrongTypes {
        @Migrate(from = 1)
        static JsonNode up(JsonNode state) {
            return state;
        }
    }

    @StateVersion(3)
    static final class Twice {
        @Migrate(from = 1)
        static ObjectNode a(ObjectNode state) {
            return state;
        }

        @Migrate(from = 1)
        static ObjectNode b(ObjectNode state) {
            return state;
        }
    }

    @StateVersion(2)
    static final class TooFar {
        @Migrate(from = 2)
        static ObjectNode up(ObjectNode state) {
            return state;
        }
    }

    @StateVersion(2)
    static final class FromZero {
        @Migrate(from = 0)
        static ObjectNode up(ObjectNode state) {
            return state;
        }
    }

    @StateVersion(0)
    static final class VersionZero {
    }

    @Test
    void badDeclarationsAreRefusedWhenTheChainIsRead() {
        assertRefused(NotStatic.class, ".up must be static");
        assertRefused(WrongTypes.class, ".up must take and return com.fasterxml.jackson.databind.node.ObjectNode");
        assertRefused(Twice.class, "repeats the step of");
        assertRefused(TooFar.class, ".up is outside the schema: from must be 1 to 1 for @StateVersion(2)");
        assertRefused(FromZero.class, ".up is outside the schema");
        assertRefused(VersionZero.class, "@StateVersion(0) on " + VersionZero.class.getName() + " must be 1 or more");
    }

    private static void assertRefused(Class<?> lifecycle, String fragment) {
        StateException e = assertThrows(StateException.class, () -> StateMigrator.of("counter", "1.0.0", lifecycle));
        assertTrue(e.getMessage().startsWith("Cannot read state migrations of module counter: "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
