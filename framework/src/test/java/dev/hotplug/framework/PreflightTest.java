package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Counter;
import dev.hotplug.framework.fixture.Journal;
import dev.hotplug.framework.fixture.LoaderProbe;
import dev.hotplug.framework.fixture.Relay;
import dev.hotplug.testkit.ModuleJarBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static dev.hotplug.framework.IsolationInFrameworkTest.assertOneLine;
import static dev.hotplug.framework.ReloadRollbackTest.last;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ABI canary, through real reloads: a new version that drops a held service, uses API the framework lacks, has
 * lifecycle methods of a shape it cannot call, or class files newer than this JVM is refused with one line before any
 * of its code runs, and the old version keeps serving.
 */
class PreflightTest {

    @TempDir
    Path dir;

    @BeforeEach
    void clear() {
        Journal.clear();
        LoaderProbe.clear();
    }

    @Test
    void aVersionThatDropsAHeldServiceIsRefused() throws IOException {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(TestModules.counter("1.0.0").writeTo(in));
            Counter counter = hotplug.service(Counter.class);
            assertEquals(1, counter.increment());

            ModuleInfo after = hotplug.deploy(write(PLAIN_COUNTER, "2.0.0", in));

            HistoryEntry entry = last(hotplug.history("counter"));
            assertEquals(Outcome.REFUSED, entry.outcome());
            assertOneLine(entry.cause(), "Cannot stage module counter 2.0.0 (", "counter-2.0.0.jar",
                    "no longer implements service " + Counter.class.getName(), "version 1.0.0");
            assertEquals("1.0.0", after.version());
            assertEquals(ModuleStatus.ACTIVE, after.status());
            assertEquals("1.0.0", counter.version());
            assertEquals(2, counter.increment());
            assertFalse(Journal.lines().stream().anyMatch(l -> l.startsWith("unload")), "the old version was not touched");
        }
    }

    @Test
    void aServiceNobodyHoldsMayBeDropped() throws IOException {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(TestModules.counter("1.0.0").writeTo(in));

            ModuleInfo after = hotplug.deploy(write(PLAIN_COUNTER, "2.0.0", in));

            assertEquals("2.0.0", after.version(), String.valueOf(after.lastError()));
            assertEquals(Outcome.SWAPPED, last(hotplug.history("counter")).outcome());
        }
    }

    @Test
    void aHeldServiceImplementedThroughASuperclassOrALambdaPasses() throws IOException {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(TestModules.counter("1.0.0").writeTo(in));
            hotplug.deploy(write(RELAY, "1.0.0", in));
            Counter counter = hotplug.service(Counter.class);
            Relay relay = hotplug.service(Relay.class);
            assertEquals("relay 1.0.0 x", relay.call("x"));

            ModuleInfo counterAfter = hotplug.deploy(write(BASE_COUNTER, "2.0.0", in));
            ModuleInfo relayAfter = hotplug.deploy(write(LAMBDA_RELAY, "2.0.0", in));

            assertEquals("2.0.0", counterAfter.version(), String.valueOf(counterAfter.lastError()));
            assertEquals("2.0.0", relayAfter.version(), String.valueOf(relayAfter.lastError()));
            assertEquals("base 2.0.0", counter.version());
            assertEquals("lambda 2.0.0 x", relay.call("x"));
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "UsesMethod  | method dev.hotplug.api.ModuleContext.uptimeMillis()",
        "UsesType    | type dev.hotplug.api.Metrics",
        "UsesField   | field dev.hotplug.api.LoadReason.UPGRADE",
        "UsesElement | annotation element dev.hotplug.api.Load.retries",
    })
    void aVersionBuiltAgainstANewerApiIsRefused(String user, String missing) throws IOException {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(write(RELAY, "1.0.0", in));
            Relay relay = hotplug.service(Relay.class);

            byte[] newer = keep(FolderWatcherTest.relabel(NEWER_API.bytes(), "relay", "2.0.0", Map.of()),
                    name -> !name.startsWith("dev/hotplug/api/")
                            && (!name.startsWith("com/acme/relay/Uses") || name.equals("com/acme/relay/" + user + ".class")));
            ModuleInfo after = hotplug.deploy(write(newer, "relay-2.0.0.jar", in));

            HistoryEntry entry = last(hotplug.history("relay"));
            assertEquals(Outcome.REFUSED, entry.outcome());
            assertOneLine(entry.cause(), "Cannot stage module relay 2.0.0 (", "relay-2.0.0.jar",
                    "class com.acme.relay." + user + " uses " + missing + ", which this framework's dev.hotplug.api "
                            + "does not have");
            assertEquals("1.0.0", after.version());
            assertEquals("relay 1.0.0 x", relay.call("x"), "the old version serves on");
        }
    }

    @Test
    void aLifecycleMethodOfTheWrongShapeIsRefused() throws IOException {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(write(RELAY, "1.0.0", in));
            Relay relay = hotplug.service(Relay.class);

            Path bad = write(BAD_SHAPE, "2.0.0", in);
            InvalidModuleException refused = assertThrows(InvalidModuleException.class, () -> hotplug.deploy(bad));

            assertOneLine(refused.getMessage(), "relay", "relay-2.0.0.jar",
                    "@Load method com.acme.relay.RelayModule.load(ModuleContext) must return void");
            assertEquals("2.0.0", refused.version());
            assertRefusedWhileOldServes(hotplug, relay, refused);
        }
    }

    @Test
    void aClassFileNewerThanThisJvmIsRefused() throws IOException {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(write(RELAY, "1.0.0", in));
            Relay relay = hotplug.service(Relay.class);
            int tooNew = Runtime.version().feature() + 45;

            byte[] future = transform(FolderWatcherTest.relabel(RELAY.bytes(), "relay", "2.0.0", Map.of()),
                    (name, bytes) -> {
                        if (name.endsWith(".class")) {
                            bytes[6] = (byte) (tooNew >>> 8);
                            bytes[7] = (byte) tooNew;
                        }
                        return bytes;
                    });
            Path bad = write(future, "relay-2.0.0.jar", in);
            InvalidModuleException refused = assertThrows(InvalidModuleException.class, () -> hotplug.deploy(bad));

            assertOneLine(refused.getMessage(), "relay", "relay-2.0.0.jar", "class com.acme.relay.RelayModule has class"
                    + " file version " + tooNew, "reads up to " + (tooNew - 1));
            assertRefusedWhileOldServes(hotplug, relay, refused);
        }
    }

    private static void assertRefusedWhileOldServes(Hotplug hotplug, Relay relay, InvalidModuleException refused)
            throws IOException {
        HistoryEntry entry = last(hotplug.history("relay"));
        assertEquals(Outcome.REFUSED, entry.outcome());
        assertEquals("1.0.0", entry.from());
        assertEquals("2.0.0", entry.to());
        assertEquals(refused.getMessage(), entry.cause());
        ModuleInfo info = hotplug.module("relay").orElseThrow();
        assertEquals("1.0.0", info.version());
        assertEquals(ModuleStatus.ACTIVE, info.status());
        assertEquals("relay 1.0.0 x", relay.call("x"), "the old version serves on");
        assertTrue(LoaderProbe.loaders("relay 2.0.0").isEmpty());
    }

    private static final Map<String, byte[]> COMPILED = new ConcurrentHashMap<>();

    /** A module compiled once, whose jar is relabelled for each version. */
    private record Source(String name, String cacheKey, Supplier<ModuleJarBuilder> builder) {
        byte[] bytes() {
            return COMPILED.computeIfAbsent(cacheKey, k -> builder.get().toBytes());
        }
    }

    private static Path write(Source source, String version, Path in) throws IOException {
        return write(FolderWatcherTest.relabel(source.bytes(), source.name(), version, Map.of()),
                source.name() + "-" + version + ".jar", in);
    }

    private static Path write(byte[] jar, String fileName, Path in) throws IOException {
        Files.createDirectories(in);
        Path target = in.resolve(fileName);
        FolderWatcherTest.atomicWrite(target, jar);
        return target;
    }

    private static byte[] keep(byte[] jar, Predicate<String> entries) {
        return transform(jar, (name, bytes) -> name.endsWith("/") || entries.test(name) ? bytes : null);
    }

    /** {@code jar} with each entry's bytes replaced by {@code change} (entry name, bytes), or dropped for null. */
    static byte[] transform(byte[] jar, BiFunction<String, byte[], byte[]> change) {
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar));
             ByteArrayOutputStream bytes = new ByteArrayOutputStream()) {
            try (ZipOutputStream out = new ZipOutputStream(bytes)) {
                for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                    byte[] content = change.apply(entry.getName(), in.readAllBytes());
                    if (content != null) {
                        out.putNextEntry(new ZipEntry(entry.getName()));
                        out.write(content);
                        out.closeEntry();
                    }
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String RELAY_MODULE = """
            package com.acme.relay;

            import dev.hotplug.api.*;
            import dev.hotplug.framework.fixture.LoaderProbe;
            import dev.hotplug.framework.fixture.Relay;

            @HotplugModule
            public class RelayModule implements Relay {
                private String version;

                public RelayModule() {
                    LoaderProbe.track("relay", this);
                }

                @Load
                void load(ModuleContext context) {
                    version = context.version();
                    LoaderProbe.track("relay " + version, this);
                    context.register(Relay.class, this);
                }

                public String call(String argument) {
                    return "relay " + version + " " + argument;
                }
            }
            """;

    private static final Source RELAY = new Source("relay", "relay",
            () -> TestModules.module("relay", "0", "com.acme.relay.RelayModule", RELAY_MODULE));

    private static final Source LAMBDA_RELAY = new Source("relay", "lambda-relay",
            () -> TestModules.module("relay", "0", "com.acme.relay.RelayModule", """
                    package com.acme.relay;

                    import dev.hotplug.api.*;
                    import dev.hotplug.framework.fixture.Relay;

                    @HotplugModule
                    public class RelayModule {
                        @Load
                        void load(ModuleContext context) {
                            String version = context.version();
                            context.register(Relay.class, argument -> "lambda " + version + " " + argument);
                        }
                    }
                    """));

    private static final Source BAD_SHAPE = new Source("relay", "bad-shape-relay",
            () -> TestModules.module("relay", "0", "com.acme.relay.RelayModule", """
                    package com.acme.relay;

                    import dev.hotplug.api.*;
                    import dev.hotplug.framework.fixture.Relay;

                    @HotplugModule
                    public class RelayModule implements Relay {
                        @Load
                        int load(ModuleContext context) {
                            context.register(Relay.class, this);
                            return 1;
                        }

                        public String call(String argument) {
                            return "bad " + argument;
                        }
                    }
                    """));

    private static final Source PLAIN_COUNTER = new Source("counter", "plain-counter",
            () -> TestModules.module("counter", "0", "com.acme.counter.CounterModule", """
                    package com.acme.counter;

                    import dev.hotplug.api.*;

                    @HotplugModule
                    public class CounterModule {
                        @Load
                        void load(ModuleContext context) {
                        }
                    }
                    """));

    private static final Source BASE_COUNTER = new Source("counter", "base-counter",
            () -> TestModules.module("counter", "0", "com.acme.counter.Base", """
                    package com.acme.counter;

                    import dev.hotplug.framework.fixture.Counter;

                    public abstract class Base implements Counter {
                        protected String version;

                        public String version() {
                            return "base " + version;
                        }
                    }
                    """, "com.acme.counter.CounterModule", """
                    package com.acme.counter;

                    import dev.hotplug.api.*;
                    import dev.hotplug.framework.fixture.Counter;

                    @HotplugModule
                    public class CounterModule extends Base {
                        @Load
                        void load(ModuleContext context) {
                            version = context.version();
                            context.register(Counter.class, this);
                        }

                        public long increment() {
                            return 42;
                        }
                    }
                    """));

    /**
     * The relay compiled against a "newer" module API: sources of API classes with members this framework lacks are
     * compiled beside it (javac prefers them to the real API on the class path), then left out of the jar.
     */
    private static final Source NEWER_API = new Source("relay", "newer-api-relay",
            () -> TestModules.module("relay", "0", "com.acme.relay.RelayModule", RELAY_MODULE,
                    "dev.hotplug.api.ModuleContext", """
                            package dev.hotplug.api;

                            public interface ModuleContext {
                                String name();
                                String version();
                                long generation();
                                <T> void register(Class<T> type, T implementation);
                                <T> T service(Class<T> type);
                                long uptimeMillis();
                            }
                            """,
                    "dev.hotplug.api.Metrics", """
                            package dev.hotplug.api;

                            public interface Metrics {
                                long calls();
                            }
                            """,
                    "dev.hotplug.api.LoadReason", """
                            package dev.hotplug.api;

                            public enum LoadReason { START, RESTORE, RELOAD, ROLLBACK, UPGRADE }
                            """,
                    "dev.hotplug.api.Load", """
                            package dev.hotplug.api;

                            import java.lang.annotation.*;

                            @Retention(RetentionPolicy.RUNTIME)
                            @Target(ElementType.METHOD)
                            public @interface Load {
                                long timeoutMillis() default 0;
                                int retries() default 0;
                            }
                            """,
                    "com.acme.relay.UsesMethod", """
                            package com.acme.relay;

                            public class UsesMethod {
                                static long uptime(dev.hotplug.api.ModuleContext context) {
                                    return context.uptimeMillis();
                                }
                            }
                            """,
                    "com.acme.relay.UsesType", """
                            package com.acme.relay;

                            public class UsesType {
                                static Object metrics(Object any) {
                                    return (dev.hotplug.api.Metrics) any;
                                }
                            }
                            """,
                    "com.acme.relay.UsesField", """
                            package com.acme.relay;

                            import dev.hotplug.api.LoadReason;

                            public class UsesField {
                                static boolean upgrading(LoadReason reason) {
                                    return reason == LoadReason.UPGRADE;
                                }
                            }
                            """,
                    "com.acme.relay.UsesElement", """
                            package com.acme.relay;

                            public class UsesElement {
                                @dev.hotplug.api.Load(retries = 2)
                                void load() {
                                }
                            }
                            """));
}
