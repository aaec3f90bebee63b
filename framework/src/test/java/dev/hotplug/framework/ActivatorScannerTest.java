package dev.hotplug.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hotplug.testkit.ModuleJarBuilder;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Lifecycle classes read from bytecode: good shapes recorded, bad shapes refused, nothing of the module run. */
class ActivatorScannerTest {

    private static final String IMPORTS = "package com.shapes;\nimport dev.hotplug.api.*;\n"
            + "import com.fasterxml.jackson.databind.node.ObjectNode;\n";

    /** Every shape below, compiled in one compiler run. */
    private static Map<String, byte[]> shapes;

    @TempDir
    Path dir;

    @BeforeAll
    static void compileOnce() throws URISyntaxException {
        Path jackson = Path.of(ObjectNode.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleJarBuilder builder = ModuleJarBuilder.plain().compileClassPath(jackson);
        Map<String, String> sources = new TreeMap<>();
        sources.put("Good", """
                @HotplugModule(reloadable = false) @StateVersion(3)
                public class Good {
                    @State int count;
                    @State String label;
                    int notState;
                    @Startup(timeoutMillis = 500) void start(ModuleContext context) { }
                    @Load public void load(LoadReason reason, ModuleContext context, Saved state) { }
                    @Unload(timeoutMillis = 2000) Saved unload(ModuleContext context) { return new Saved(); }
                    @Shutdown void stop() { }
                    @Migrate(from = 1) static ObjectNode one(ObjectNode node) { return node; }
                    @Migrate(from = 2) static ObjectNode two(ObjectNode node) { return node; }
                    public static class Saved { public int count; }
                }
                """);
        sources.put("Minimal", "public class Minimal { @Load void load() { } @Unload void unload() { } }");
        sources.put("TwoLoads", "public class TwoLoads { @Load void first() { } @Load void second(ModuleContext c) { } }");
        sources.put("StaticLoad", "public class StaticLoad { @Load static void load() { } }");
        sources.put("StartupTakesString", "public class StartupTakesString { @Startup void start(String s) { } }");
        sources.put("StartupReturnsInt", "public class StartupReturnsInt { @Startup int start() { return 1; } }");
        sources.put("ShutdownTakesReason", "public class ShutdownTakesReason { @Shutdown void stop(LoadReason r) { } }");
        sources.put("LoadPrimitiveState", "public class LoadPrimitiveState { @Load void load(int count) { } }");
        sources.put("LoadTwoStates", "public class LoadTwoStates { @Load void load(String a, Integer b) { } }");
        sources.put("LoadContextTwice",
                "public class LoadContextTwice { @Load void load(ModuleContext a, ModuleContext b) { } }");
        sources.put("LoadReturnsValue", "public class LoadReturnsValue { @Load String load() { return null; } }");
        sources.put("UnloadTakesReason", "public class UnloadTakesReason { @Unload Object unload(LoadReason r) { return null; } }");
        sources.put("UnloadReturnsInt", "public class UnloadReturnsInt { @Unload int unload() { return 1; } }");
        sources.put("MigrateNotStatic", "@StateVersion(2) public class MigrateNotStatic {"
                + " @Migrate(from = 1) ObjectNode up(ObjectNode n) { return n; } }");
        sources.put("MigrateWrongShape", "@StateVersion(2) public class MigrateWrongShape {"
                + " @Migrate(from = 1) static String up(String n) { return n; } }");
        sources.put("MigrateTwice", "@StateVersion(2) public class MigrateTwice {"
                + " @Migrate(from = 1) static ObjectNode a(ObjectNode n) { return n; }"
                + " @Migrate(from = 1) static ObjectNode b(ObjectNode n) { return n; } }");
        sources.put("MigrateOutOfRange", "@StateVersion(2) public class MigrateOutOfRange {"
                + " @Migrate(from = 2) static ObjectNode up(ObjectNode n) { return n; } }");
        sources.put("StateVersionZero", "@StateVersion(0) public class StateVersionZero { }");
        sources.put("StaticState", "public class StaticState { @State static int count; }");
        sources.put("AbstractActivator", "public abstract class AbstractActivator { }");
        sources.put("InterfaceActivator", "public interface InterfaceActivator { }");
        sources.put("NoDefaultConstructor", "public class NoDefaultConstructor { NoDefaultConstructor(String s) { } }");
        sources.forEach((name, code) -> builder.source("com.shapes." + name, IMPORTS + code));
        shapes = SpecFixtures.classes(builder);
    }

    private Path jarFor(String activator) {
        return SpecFixtures.with(ModuleJarBuilder.module("shapes", "1.0.0"), shapes)
                .header("Hotplug-Activator", "com.shapes." + activator).writeTo(dir);
    }

    @Test
    void recordsGoodLifecycleMethods() {
        ModuleSpec spec = ManifestReader.read(jarFor("Good"));

        assertEquals("com.shapes.Good", spec.activatorClass());
        assertFalse(spec.reloadable());
        Map<LifecyclePhase, LifecycleMethod> lifecycle = spec.lifecycle();
        assertEquals(new LifecycleMethod("start", "(Ldev/hotplug/api/ModuleContext;)V",
                List.of(ParameterKind.CONTEXT), 500, false), lifecycle.get(LifecyclePhase.STARTUP));
        LifecycleMethod load = lifecycle.get(LifecyclePhase.LOAD);
        assertEquals("load", load.name());
        assertEquals(List.of(ParameterKind.REASON, ParameterKind.CONTEXT, ParameterKind.STATE), load.parameters());
        assertEquals("(Ldev/hotplug/api/LoadReason;Ldev/hotplug/api/ModuleContext;Lcom/shapes/Good$Saved;)V",
                load.descriptor());
        assertEquals(2, load.stateParameter());
        assertEquals(0, load.timeoutMillis());
        LifecycleMethod unload = lifecycle.get(LifecyclePhase.UNLOAD);
        assertTrue(unload.returnsValue());
        assertEquals(2000, unload.timeoutMillis());
        assertEquals(List.of(ParameterKind.CONTEXT), unload.parameters());
        assertEquals(List.of(), lifecycle.get(LifecyclePhase.SHUTDOWN).parameters());
        assertEquals(List.of("count", "label"), spec.stateFields());
        assertEquals(3, spec.stateVersion());
        assertEquals(Set.of(1, 2), spec.migrationSteps());
    }

    @Test
    void recordsAMinimalActivatorNamedByHeader() {
        ModuleSpec spec = ManifestReader.read(jarFor("Minimal"));

        assertTrue(spec.reloadable(), "no @HotplugModule means reloadable");
        assertEquals(1, spec.stateVersion());
        assertEquals(Set.of(LifecyclePhase.LOAD, LifecyclePhase.UNLOAD), spec.lifecycle().keySet());
        assertFalse(spec.lifecycle().get(LifecyclePhase.UNLOAD).returnsValue());
        assertTrue(spec.stateFields().isEmpty());
        assertTrue(spec.migrationSteps().isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "TwoLoads            | has two @Load methods: first() and second(ModuleContext)",
        "StaticLoad          | @Load method com.shapes.StaticLoad.load() must not be static",
        "StartupTakesString  | @Startup method com.shapes.StartupTakesString.start(String) may only take ModuleContext, not java.lang.String",
        "StartupReturnsInt   | @Startup method com.shapes.StartupReturnsInt.start() must return void",
        "ShutdownTakesReason | @Shutdown method com.shapes.ShutdownTakesReason.stop(LoadReason) may only take ModuleContext",
        "LoadPrimitiveState  | @Load method com.shapes.LoadPrimitiveState.load(int): parameter 1 (int) cannot carry the state",
        "LoadTwoStates       | @Load method com.shapes.LoadTwoStates.load(String, Integer) takes two state parameters",
        "LoadContextTwice    | takes dev.hotplug.api.ModuleContext twice",
        "LoadReturnsValue    | @Load method com.shapes.LoadReturnsValue.load() must return void",
        "UnloadTakesReason   | @Unload method com.shapes.UnloadTakesReason.unload(LoadReason) may only take ModuleContext",
        "UnloadReturnsInt    | @Unload method com.shapes.UnloadReturnsInt.unload() returns int; it must return the state object",
        "MigrateNotStatic    | @Migrate method com.shapes.MigrateNotStatic.up(ObjectNode) must be static",
        "MigrateWrongShape   | @Migrate method com.shapes.MigrateWrongShape.up(String) must take and return com.fasterxml.jackson.databind.node.ObjectNode",
        "MigrateTwice        | has two @Migrate(from = 1) methods: a(ObjectNode) and b(ObjectNode)",
        "MigrateOutOfRange   | @Migrate(from = 2) method com.shapes.MigrateOutOfRange.up(ObjectNode) is outside 1..1",
        "StateVersionZero    | @StateVersion(0) on com.shapes.StateVersionZero must be 1 or more",
        "StaticState         | @State field com.shapes.StaticState.count must not be static",
        "AbstractActivator   | lifecycle class com.shapes.AbstractActivator is abstract",
        "InterfaceActivator  | lifecycle class com.shapes.InterfaceActivator is an interface",
        "NoDefaultConstructor | lifecycle class com.shapes.NoDefaultConstructor has no constructor without parameters",
    })
    void refusesBadShape(String activator, String expected) {
        Path jar = jarFor(activator);

        InvalidModuleException e = assertThrows(InvalidModuleException.class, () -> ManifestReader.read(jar));

        assertTrue(e.getMessage().startsWith("Cannot read module shapes (shapes-1.0.0.jar): "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals("shapes", e.module());
        assertEquals("1.0.0", e.version());
    }

    @Test
    void scanningRunsNoStaticInitializer() throws Exception {
        Path marker = dir.resolve("initializer-ran");
        String quoted = marker.toString().replace("\\", "\\\\");
        Path jar = ModuleJarBuilder.module("trap", "1.0.0")
                .source("com.trap.Trap", """
                        package com.trap;
                        @dev.hotplug.api.HotplugModule
                        public class Trap {
                            static {
                                try {
                                    java.nio.file.Files.writeString(java.nio.file.Path.of("%s"), "ran");
                                } catch (java.io.IOException e) {
                                    throw new java.io.UncheckedIOException(e);
                                }
                                if (true) {
                                    throw new IllegalStateException("static initializer ran");
                                }
                            }
                            @dev.hotplug.api.Load void load() { }
                        }
                        """.formatted(quoted))
                .writeTo(dir);

        ModuleSpec spec = ManifestReader.read(jar);

        assertEquals("com.trap.Trap", spec.activatorClass());
        assertTrue(spec.lifecycle().containsKey(LifecyclePhase.LOAD));
        assertFalse(Files.exists(marker), "the module's static initializer ran");
    }

    @Test
    void refusesAClassNewerThanThisJvm() {
        int tooNew = Runtime.version().feature() + 45;
        Map<String, byte[]> classes = new TreeMap<>(shapes);
        byte[] patched = classes.get("com/shapes/TwoLoads.class").clone();
        patched[6] = (byte) (tooNew >>> 8);
        patched[7] = (byte) tooNew;
        classes.put("com/shapes/TwoLoads.class", patched);
        Path jar = SpecFixtures.with(ModuleJarBuilder.module("future", "1.0.0"), classes)
                .header("Hotplug-Activator", "com.shapes.Minimal").writeTo(dir);

        InvalidModuleException e = assertThrows(InvalidModuleException.class, () -> ManifestReader.read(jar));

        assertEquals("Cannot read module future (future-1.0.0.jar): class com.shapes.TwoLoads has class file version "
                + tooNew + " (Java " + (tooNew - 44) + "); this JVM (Java " + Runtime.version().feature()
                + ") reads up to " + (tooNew - 1), e.getMessage());
    }

    @Test
    void refusesAClassEntryThatIsNotAClassFile() {
        Path jar = SpecFixtures.with(ModuleJarBuilder.module("junk", "1.0.0"), shapes)
                .header("Hotplug-Activator", "com.shapes.Minimal")
                .resource("com/shapes/Junk.class", "not bytecode at all").writeTo(dir);

        InvalidModuleException e = assertThrows(InvalidModuleException.class, () -> ManifestReader.read(jar));

        assertEquals("Cannot read module junk (junk-1.0.0.jar): class com.shapes.Junk is not a class file "
                + "(bad magic number)", e.getMessage());
    }

    @Test
    void findsTheAnnotatedClassInANestedJar() {
        ModuleJarBuilder library = ModuleJarBuilder.plain().source("com.lib.Activator", """
                package com.lib;
                @dev.hotplug.api.HotplugModule(reloadable = false)
                public class Activator { @dev.hotplug.api.Shutdown void stop(dev.hotplug.api.ModuleContext c) { } }
                """);
        Path jar = ModuleJarBuilder.module("wrapped", "1.0.0").header("Hotplug-ClassPath", "lib/all.jar")
                .nestedJar("lib/all.jar", library).writeTo(dir);

        ModuleSpec spec = ManifestReader.read(jar);

        assertEquals("com.lib.Activator", spec.activatorClass());
        assertFalse(spec.reloadable());
        assertEquals(Set.of("com.lib"), spec.packages());
        assertEquals(List.of(ParameterKind.CONTEXT), spec.lifecycle().get(LifecyclePhase.SHUTDOWN).parameters());
    }
}
