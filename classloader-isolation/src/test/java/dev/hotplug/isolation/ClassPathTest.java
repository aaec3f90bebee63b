package dev.hotplug.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hotplug.testkit.ModuleJarBuilder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The module's own class path: its root, nested jars and folders inside the jar, classes and resources. */
class ClassPathTest {

    @TempDir
    static Path built;

    private static Path jar;

    @TempDir
    Path dir;

    @BeforeAll
    static void buildOnce() throws IOException {
        jar = moduleJar(built);
    }

    /** A module whose root class uses a class from {@code lib/dep.jar} and one from the {@code classes/} folder. */
    private static Path moduleJar(Path dir) throws IOException {
        ModuleJarBuilder dep = ModuleJarBuilder.plain()
                .source("com.dep.Helper", "package com.dep; public class Helper { public static String hello() { return \"dep\"; } }")
                .resource("com/dep/data.txt", "from dep");
        ModuleJarBuilder folder = ModuleJarBuilder.plain()
                .source("com.folder.Inside", "package com.folder; public class Inside { public static String hello() { return \"folder\"; } }");
        Path compileDir = dir.resolve("compile");
        byte[] depBytes = dep.toBytes();
        byte[] folderBytes = folder.toBytes();
        Path depJar = Files.write(Files.createDirectories(compileDir).resolve("dep.jar"), depBytes);
        Path folderJar = Files.write(compileDir.resolve("folder.jar"), folderBytes);
        ModuleJarBuilder module = ModuleJarBuilder.module("nested", "1.0.0")
                .compileClassPath(depJar)
                .compileClassPath(folderJar)
                .source("com.acme.Main", """
                        package com.acme;
                        public class Main implements java.util.function.Supplier<String> {
                            public String get() {
                                try (java.io.InputStream in = Main.class.getResourceAsStream("/com/dep/data.txt")) {
                                    return com.dep.Helper.hello() + "+" + com.folder.Inside.hello() + "+"
                                            + new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                                } catch (java.io.IOException e) {
                                    throw new java.io.UncheckedIOException(e);
                                }
                            }
                        }
                        """)
                .resource("lib/dep.jar", depBytes)
                .resource("classes/com/folder/info.txt", "from folder");
        copyUnder(folderBytes, "classes/", module);
        return module.writeTo(dir);
    }

    private static void copyUnder(byte[] jar, String prefix, ModuleJarBuilder into) throws IOException {
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            for (JarEntry entry; (entry = in.getNextJarEntry()) != null; ) {
                if (!entry.isDirectory()) {
                    into.resource(prefix + entry.getName(), in.readAllBytes());
                }
            }
        }
    }

    private ModuleClassLoader open(long generation, List<String> classPath) throws IOException {
        return new ModuleClassLoader(Fixtures.spec("nested", generation, Fixtures.copyForGeneration(jar, dir, generation))
                .classPath(classPath).workDirectory(Files.createDirectories(dir.resolve("work-" + generation))).build());
    }

    @Test
    void nestedJarAndFolderClassesLoadInTheModuleLoader() throws Exception {
        try (ModuleClassLoader loader = open(1, List.of(".", "lib/dep.jar", "classes/"))) {
            assertEquals("dep+folder+from dep", Fixtures.newInstance(loader, "com.acme.Main", Supplier.class).get());
            assertSame(loader, loader.loadClass("com.dep.Helper").getClassLoader());
            assertSame(loader, loader.loadClass("com.folder.Inside").getClassLoader());
            assertTrue(loader.ownPackages().containsAll(List.of("com.acme", "com.dep", "com.folder")), loader.ownPackages().toString());
        }
    }

    @Test
    void folderEntryWithoutSlashWorksToo() throws Exception {
        try (ModuleClassLoader loader = open(1, List.of("classes"))) {
            assertSame(loader, loader.loadClass("com.folder.Inside").getClassLoader());
            assertEquals("from folder", read(loader.getResourceAsStream("com/folder/info.txt")));
            ClassNotFoundException e = assertThrows(ClassNotFoundException.class, () -> loader.loadClass("com.acme.Main"));
            assertTrue(e.getMessage().contains("nested") && e.getMessage().contains("com.acme"), e.getMessage());
        }
    }

    @Test
    void resourcesOfEveryElementAreReadable() throws Exception {
        URL fromDep;
        try (ModuleClassLoader loader = open(1, List.of(".", "lib/dep.jar", "classes/"))) {
            fromDep = loader.getResource("com/dep/data.txt");
            assertNotNull(fromDep);
            assertEquals("from dep", read(fromDep.openStream()));
            assertEquals("from folder", read(loader.getResource("com/folder/info.txt").openStream()));
            assertEquals("from dep", read(loader.getResourceAsStream("com/dep/data.txt")));
            assertEquals("from folder", read(loader.getResourceAsStream("com/folder/info.txt")));
            assertEquals(List.of(fromDep.toString()),
                    Collections.list(loader.getResources("com/dep/data.txt")).stream().map(URL::toString).toList());
            assertEquals(null, loader.getResource("com/dep/missing.txt"));
            assertEquals(null, loader.getResourceAsStream("com/dep/missing.txt"));
        }
        IOException released = assertThrows(IOException.class, fromDep::openStream);
        assertTrue(released.getMessage().contains("released"), released.getMessage());
    }

    @Test
    void missingClassPathEntryIsRefusedNamingModuleAndEntry() throws Exception {
        IsolationException e = assertThrows(IsolationException.class, () -> open(1, List.of(".", "lib/absent.jar")));
        assertTrue(e.getMessage().contains("nested") && e.getMessage().contains("lib/absent.jar"), e.getMessage());
        assertEquals("nested", e.module());
    }

    private static String read(InputStream in) throws IOException {
        assertNotNull(in);
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
