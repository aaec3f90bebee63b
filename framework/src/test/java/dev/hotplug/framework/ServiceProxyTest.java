package dev.hotplug.framework;

import dev.hotplug.api.ModuleException;
import dev.hotplug.framework.fixture.Journal;
import dev.hotplug.framework.fixture.LoaderProbe;
import dev.hotplug.framework.fixture.Shapes;
import dev.hotplug.testkit.ModuleJarBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.hotplug.framework.IsolationInFrameworkTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generated service proxy behaves as the object behind it: exceptions, defaults, overloads, generics and
 * {@code Object} methods pass through unchanged; one class per interface; no released generation pinned.
 */
class ServiceProxyTest {

    @TempDir
    Path dir;

    @BeforeEach
    void clear() {
        Journal.clear();
        LoaderProbe.clear();
    }

    @Test
    void exceptionsReachTheCallerAsTheVerySameInstance() throws Exception {
        try (Hotplug hotplug = started()) {
            Shapes shapes = hotplug.service(Shapes.class);

            Exception checked = new IOException("checked");
            assertSame(checked, assertThrows(IOException.class, () -> shapes.rethrow(checked)));
            RuntimeException unchecked = new IllegalStateException("unchecked");
            assertSame(unchecked, assertThrows(IllegalStateException.class, () -> shapes.rethrow(unchecked)));
            Error error = new AssertionError("error");
            assertSame(error, assertThrows(AssertionError.class, () -> shapes.rethrow(error)));
            assertEquals(null, unchecked.getCause(), "not wrapped on the way");
        }
    }

    @Test
    void defaultsOverloadsAndGenericsBehaveAsOnTheRealObject() {
        try (Hotplug hotplug = started()) {
            Shapes shapes = hotplug.service(Shapes.class);

            assertEquals("int 7", shapes.describe(7));
            assertEquals("long 7", shapes.describe(7L));
            assertEquals("string 7", shapes.describe("7"));
            assertEquals("b", shapes.max("a", "b"));
            assertEquals(Integer.valueOf(9), shapes.max(9, 3));
            List<String> names = shapes.names();
            assertEquals(List.of("circle", "square"), names);
            assertEquals("default greet int 1", shapes.greet(), "a default the module keeps runs on the module object");
            assertEquals("module shout 1.0.0", shapes.shout(), "a default the module overrides is the module's");
        }
    }

    @Test
    void objectMethodsAreTheRealObjects() {
        try (Hotplug hotplug = started()) {
            Shapes shapes = hotplug.service(Shapes.class);
            Object real = shapes.self();

            assertNotSame(real, shapes);
            assertEquals("shapes 1.0.0", shapes.toString());
            assertEquals(real.toString(), shapes.toString());
            assertEquals(real.hashCode(), shapes.hashCode());
            assertEquals(System.identityHashCode(real), shapes.hashCode(), "the module keeps Object's hashCode");
            assertTrue(shapes.equals(real), "equals runs on the real object, which is equal to itself");
            assertFalse(shapes.equals(new Object()));
        }
    }

    @Test
    void aNonPublicInterfaceOrAClassIsRefusedClearly() {
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();

            ModuleException hidden = assertThrows(ModuleException.class, () -> hotplug.service(Hidden.class));
            assertOneLine(hidden.getMessage(), "Cannot look up service", Hidden.class.getName(), "not a public interface");
            ModuleException type = assertThrows(ModuleException.class, () -> hotplug.service(String.class));
            assertOneLine(type.getMessage(), "java.lang.String", "not a public interface");
        }
    }

    @Test
    void oneProxyClassPerInterface() {
        try (Hotplug hotplug = started()) {
            Shapes first = hotplug.service(Shapes.class);
            Shapes second = hotplug.service(Shapes.class);

            assertNotSame(first, second);
            assertSame(first.getClass(), second.getClass());
            assertEquals(Shapes.class.getName() + ServiceProxies.SUFFIX, first.getClass().getName());
            try (Hotplug other = TestModules.hotplug(dir.resolve("other")).build()) {
                assertSame(first.getClass(), other.service(Shapes.class).getClass(), "shared by frameworks too");
            }
        }
    }

    @Test
    void aProxyPinsNoReleasedProviderGeneration() throws IOException {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = started()) {
            Shapes shapes = hotplug.service(Shapes.class);
            hotplug.deploy(write(ECHO, "echo", "1.0.0", in));
            assertEquals("module shout 1.0.0", shapes.shout());
            assertTrue(Journal.lines().contains("echo 1.0.0 holds Echo$HotplugProxy"), Journal.lines().toString());

            hotplug.deploy(write(SHAPES, "shapes", "2.0.0", in));
            hotplug.deploy(write(ECHO, "echo", "2.0.0", in));

            assertEquals("module shout 2.0.0", shapes.shout());
            assertTrue(Journal.lines().contains("echo 2.0.0 holds Echo$HotplugProxy"), Journal.lines().toString());
            assertEquals("2.0.0", hotplug.module("echo").orElseThrow().version());
            Await.collected("shapes 1.0.0", LoaderProbe.loaders("shapes 1.0.0"));
            Await.collected("echo 1.0.0, whose own interface has a cached proxy class",
                    LoaderProbe.loaders("echo 1.0.0"));
            Await.noLeaks(hotplug);
        }
    }

    @Test
    void anImporterReloadedAlonePinsNoneOfItsGenerations() {
        Path modules = dir.resolve("modules");
        Path provider = TestModules.write(TestModules.module("prov", "1.0.0", "ex.prov.api.Calc", CALC_INTERFACE,
                "ex.prov.ProvModule", PROV_SOURCE).header("Export-Package", "ex.prov.api;version=1.0"),
                "prov-1.0.0.jar", "prov|" + PROV_SOURCE, modules);
        TestModules.write(importer("1.0.0", provider), "imp.jar", "imp|1.0.0|" + IMP_SOURCE, modules);
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            assertEquals(List.of("imp 1.0.0 added 1"), Journal.lines());

            // Calc's proxy class was made in imp 1.0.0's @Load, with its code on the stack, and lives as long as prov.
            TestModules.write(importer("1.1.0", provider), "imp.jar", "imp|1.1.0|" + IMP_SOURCE, modules);
            hotplug.deploy(modules.resolve("imp.jar"));

            assertEquals("1.1.0", hotplug.module("imp").orElseThrow().version());
            assertEquals(List.of("imp 1.0.0 added 1", "imp 1.1.0 added 2"), Journal.lines());
            Await.collected("imp 1.0.0, loaded with its provider, which serves on",
                    LoaderProbe.loaders("imp 1.0.0"));
            Await.noLeaks(hotplug);
        }
    }

    interface Hidden {
        void run();
    }

    private Hotplug started() {
        Hotplug hotplug = TestModules.hotplug(dir).build();
        hotplug.start();
        try {
            hotplug.deploy(write(SHAPES, "shapes", "1.0.0", dir.resolve("in")));
        } catch (IOException | RuntimeException e) {
            hotplug.close();
            throw new IllegalStateException("Cannot deploy the shapes module: " + e, e);
        }
        return hotplug;
    }

    private static Path write(byte[][] compiled, String name, String version, Path in) throws IOException {
        synchronized (compiled) {
            if (compiled[0] == null) {
                compiled[0] = (name.equals("shapes") ? TestModules.module(name, "0", "com.acme.shapes.ShapesModule",
                        SHAPES_SOURCE) : TestModules.module(name, "0", "com.acme.echo.EchoModule", ECHO_SOURCE,
                        "com.acme.echo.Echo", ECHO_INTERFACE)).toBytes();
            }
        }
        Files.createDirectories(in);
        Path target = in.resolve(name + "-" + version + ".jar");
        FolderWatcherTest.atomicWrite(target, FolderWatcherTest.relabel(compiled[0], name, version, Map.of()));
        return target;
    }

    private static ModuleJarBuilder importer(String version, Path provider) {
        return TestModules.module("imp", version, "ex.imp.ImpModule", IMP_SOURCE)
                .header("Import-Package", "ex.prov.api").compileClassPath(provider);
    }

    private static final byte[][] SHAPES = new byte[1][];
    private static final byte[][] ECHO = new byte[1][];

    private static final String SHAPES_SOURCE = """
            package com.acme.shapes;

            import dev.hotplug.api.*;
            import dev.hotplug.framework.fixture.LoaderProbe;
            import dev.hotplug.framework.fixture.Shapes;
            import java.util.List;

            @HotplugModule
            public class ShapesModule implements Shapes {
                private String version;

                @Load
                void load(ModuleContext context) {
                    version = context.version();
                    LoaderProbe.track("shapes " + version, this);
                    context.register(Shapes.class, this);
                }

                public String describe(int value) { return "int " + value; }
                public String describe(long value) { return "long " + value; }
                public String describe(String value) { return "string " + value; }
                public <T extends Comparable<T>> T max(T first, T second) {
                    return first.compareTo(second) >= 0 ? first : second;
                }
                public List<String> names() { return List.of("circle", "square"); }
                public void rethrow(Throwable failure) throws Exception {
                    if (failure instanceof Exception e) {
                        throw e;
                    }
                    throw (Error) failure;
                }
                public Object self() { return this; }
                @Override
                public String shout() { return "module shout " + version; }
                @Override
                public String toString() { return "shapes " + version; }
            }
            """;

    /** A module calling its own, module-private service interface through a proxy: the proxy class lives with it. */
    private static final String ECHO_INTERFACE = """
            package com.acme.echo;

            public interface Echo {
                String say();
            }
            """;

    private static final String ECHO_SOURCE = """
            package com.acme.echo;

            import dev.hotplug.api.*;
            import dev.hotplug.framework.fixture.Journal;
            import dev.hotplug.framework.fixture.LoaderProbe;

            @HotplugModule
            public class EchoModule implements Echo {
                private String version;
                private Echo proxy;

                @Load
                void load(ModuleContext context) {
                    version = context.version();
                    LoaderProbe.track("echo " + version, this);
                    context.register(Echo.class, this);
                    proxy = context.service(Echo.class);
                    // Created, not called: a reload keeps the module's own services closed until it swaps.
                    Journal.log("echo " + version + " holds " + proxy.getClass().getSimpleName());
                }

                public String say() {
                    return "echo " + version;
                }
            }
            """;

    private static final String CALC_INTERFACE = """
            package ex.prov.api;

            public interface Calc {
                long add(long amount);

                String version();
            }
            """;

    private static final String PROV_SOURCE = """
            package ex.prov;

            import dev.hotplug.api.*;
            import ex.prov.api.Calc;

            @HotplugModule
            public class ProvModule implements Calc {
                private long total;
                private String version;

                @Load
                void load(ModuleContext context) {
                    version = context.version();
                    context.register(Calc.class, this);
                }

                public synchronized long add(long amount) {
                    return total += amount;
                }

                public String version() {
                    return version;
                }
            }
            """;

    /** Imports Calc from prov, calls it once in {@code @Load} and keeps the proxy, as importers do. */
    private static final String IMP_SOURCE = """
            package ex.imp;

            import dev.hotplug.api.*;
            import dev.hotplug.framework.fixture.Journal;
            import dev.hotplug.framework.fixture.LoaderProbe;
            import ex.prov.api.Calc;

            @HotplugModule
            public class ImpModule {
                private Calc calc;

                @Load
                void load(ModuleContext context) {
                    LoaderProbe.track("imp " + context.version(), this);
                    calc = context.service(Calc.class);
                    Journal.log("imp " + context.version() + " added " + calc.add(1));
                }
            }
            """;
}
