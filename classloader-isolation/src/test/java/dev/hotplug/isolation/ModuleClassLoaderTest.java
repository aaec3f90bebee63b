package dev.hotplug.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hotplug.testkit.CentralDirectory;
import dev.hotplug.testkit.ModuleJarBuilder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One loader per generation: loading and running code, own statics per module and generation, release. */
class ModuleClassLoaderTest {

    private static final String COUNTER = """
            package com.acme;
            public class Impl implements java.util.function.IntSupplier {
                static int counter;
                public int getAsInt() { return ++counter; }
            }
            """;

    @TempDir
    Path dir;

    /**
     * The loader reads a class into an array of the size the jar's central directory records; when that size is
     * wrong, the class still loads whole, as it would through {@code readAllBytes}.
     */
    @Test
    void aClassLoadsWholeWhenTheJarMisstatesItsSize() throws Exception {
        String text = "x".repeat(12_000);
        ModuleJarBuilder builder = ModuleJarBuilder.module("sized", "1.0.0").source("com.acme.Big", """
                package com.acme;
                public class Big implements java.util.function.Supplier<Object> {
                    public Object get() { return "%s"; }
                }
                """.formatted(text));
        Path jar = builder.writeTo(dir);
        int generation = 0;
        for (int recorded : new int[] {100, 200_000}) {
            generation++;
            Path copy = Fixtures.copyForGeneration(jar, dir, generation);
            CentralDirectory.recordUncompressedSize(copy, "com/acme/Big.class", recorded);
            try (ModuleClassLoader loader = new ModuleClassLoader(Fixtures.spec("sized", generation, copy).build())) {
                assertEquals(text, Fixtures.newInstance(loader, "com.acme.Big", Supplier.class).get(),
                        "recorded size " + recorded);
            }
        }
    }

    @Test
    void classLoadsAndRunsFromTheJarInTheModuleLoader() throws Exception {
        Path jar = ModuleJarBuilder.module("hello", "1.0.0")
                .source("com.acme.Hello", """
                        package com.acme;
                        public class Hello implements java.util.function.Supplier<Object> {
                            public Object get() { return new Greeter().loader(); }
                        }
                        """)
                .source("com.acme.Greeter", """
                        package com.acme;
                        class Greeter {
                            ClassLoader loader() { return getClass().getClassLoader(); }
                        }
                        """)
                .writeTo(dir);
        try (ModuleClassLoader loader = new ModuleClassLoader(Fixtures.spec("hello", 1, Fixtures.copyForGeneration(jar, dir, 1)).build())) {
            assertTrue(loader.isRegisteredAsParallelCapable());
            Class<?> hello = loader.loadClass("com.acme.Hello");
            assertSame(loader, hello.getClassLoader());
            assertSame(loader, Fixtures.newInstance(loader, "com.acme.Hello", Supplier.class).get(),
                    "module code sees its own loader as getClass().getClassLoader()");
            assertEquals("hello", hello.getPackage().getImplementationTitle());
            assertEquals("1.0.0", hello.getPackage().getImplementationVersion());
            assertEquals("hello", loader.moduleName());
            assertEquals(1, loader.generation());
            assertTrue(loader.ownPackages().contains("com.acme"));
            assertTrue(loader.getName().startsWith("hello@1.0.0#1"), loader.getName());
        }
    }

    @Test
    void twoModulesWithTheSameClassNameKeepTheirOwnStatics() throws Exception {
        Path jarA = ModuleJarBuilder.module("alpha", "1.0.0").source("com.acme.Impl", COUNTER).writeTo(dir);
        Path jarB = ModuleJarBuilder.module("beta", "1.0.0").source("com.acme.Impl", COUNTER).writeTo(dir);
        try (ModuleClassLoader a = new ModuleClassLoader(Fixtures.spec("alpha", 1, Fixtures.copyForGeneration(jarA, dir, 1)).build());
             ModuleClassLoader b = new ModuleClassLoader(Fixtures.spec("beta", 1, Fixtures.copyForGeneration(jarB, dir, 1)).build())) {
            assertCountersApart(a, b);
        }
    }

    @Test
    void twoGenerationsOfOneModuleKeepTheirOwnStatics() throws Exception {
        Path jar = ModuleJarBuilder.module("alpha", "1.0.0").source("com.acme.Impl", COUNTER).writeTo(dir);
        try (ModuleClassLoader first = new ModuleClassLoader(Fixtures.spec("alpha", 1, Fixtures.copyForGeneration(jar, dir, 1)).build());
             ModuleClassLoader second = new ModuleClassLoader(Fixtures.spec("alpha", 2, Fixtures.copyForGeneration(jar, dir, 2)).build())) {
            assertNotSame(first.spec().jar(), second.spec().jar());
            assertCountersApart(first, second);
        }
    }

    private static void assertCountersApart(ModuleClassLoader one, ModuleClassLoader other) throws Exception {
        IntSupplier fromOne = Fixtures.newInstance(one, "com.acme.Impl", IntSupplier.class);
        IntSupplier fromOther = Fixtures.newInstance(other, "com.acme.Impl", IntSupplier.class);
        assertNotSame(fromOne.getClass(), fromOther.getClass());
        assertEquals(fromOne.getClass().getName(), fromOther.getClass().getName());
        assertEquals(List.of(1, 2, 3), List.of(fromOne.getAsInt(), fromOne.getAsInt(), fromOne.getAsInt()));
        assertEquals(1, fromOther.getAsInt(), "the other loader's counter is untouched by the first");
        assertEquals(4, Fixtures.newInstance(one, "com.acme.Impl", IntSupplier.class).getAsInt(),
                "a second instance in the same loader shares that loader's static");
        assertThrows(ClassCastException.class, () -> fromOther.getClass().cast(fromOne));
    }

    @Test
    void afterCloseLoadedClassesRunNewOnesFailAndTheJarIsReleased() throws Exception {
        ModuleJarBuilder nested = ModuleJarBuilder.plain().source("com.dep.Dep", "package com.dep; public class Dep {}");
        Path jar = ModuleJarBuilder.module("closing", "1.0.0")
                .source("com.acme.Impl", COUNTER)
                .source("com.acme.Later", "package com.acme; public class Later {}")
                .resource("com/acme/data.txt", "data")
                .nestedJar("lib/dep.jar", nested)
                .writeTo(dir);
        Path copy = Fixtures.copyForGeneration(jar, dir, 7).toRealPath();
        Path work = Files.createDirectories(dir.resolve("work-7"));
        ModuleClassLoader loader = new ModuleClassLoader(Fixtures.spec("closing", 7, copy)
                .classPath(List.of(".", "lib/dep.jar")).workDirectory(work).build());
        IntSupplier counter = Fixtures.newInstance(loader, "com.acme.Impl", IntSupplier.class);
        assertEquals(1, counter.getAsInt());
        assertSame(loader, loader.loadClass("com.dep.Dep").getClassLoader());
        boolean linux = Fixtures.canListOpenFiles();
        List<Path> extracted;
        try (var files = Files.list(work.resolve("classpath"))) {
            extracted = files.map(Path::toAbsolutePath).toList();
        }
        assertEquals(1, extracted.size(), extracted.toString());
        Path nestedCopy = extracted.get(0).toRealPath();
        if (linux) {
            assertTrue(Fixtures.openFiles().contains(copy), "jar copy open while the generation lives");
            assertTrue(Fixtures.openFiles().contains(nestedCopy), "nested jar open while the generation lives");
        }

        loader.close();
        loader.close();

        assertTrue(loader.isClosed());
        assertEquals(2, counter.getAsInt(), "a class loaded before release keeps running");
        assertSame(counter.getClass(), loader.loadClass("com.acme.Impl"), "already defined classes stay found");
        ClassNotFoundException late = assertThrows(ClassNotFoundException.class, () -> loader.loadClass("com.acme.Later"));
        assertTrue(late.getMessage().contains("closing") && late.getMessage().contains("generation 7 is released"),
                late.getMessage());
        assertEquals(null, loader.getResource("com/acme/data.txt"));
        assertEquals(null, loader.getResourceAsStream("com/acme/data.txt"));
        if (linux) {
            Path root = dir.toRealPath();
            List<Path> open = Fixtures.openFiles().stream().filter(p -> p.startsWith(root)).toList();
            assertFalse(open.contains(copy), "jar copy still open after close: " + open);
            assertFalse(open.contains(nestedCopy), "nested jar copy still open after close: " + open);
        }
        Files.delete(copy);
        Files.delete(nestedCopy);
    }

    @Test
    void aClosedClassPathIndexKeepsNoneOfItsEntries() throws Exception {
        Path jar = ModuleJarBuilder.module("index", "1.0.0").source("com.acme.Impl", COUNTER)
                .resource("com/acme/data.txt", "data").writeTo(dir);
        ClassPathIndex index = ClassPathIndex.open(Fixtures.spec("index", 1, jar).build());
        assertNotNull(index.find("com/acme/Impl.class"));

        index.close();

        assertNull(index.find("com/acme/Impl.class"), "a released generation's loader lives until its classes unload, "
                + "and its index with it: it must not hold an entry per file that long");
        assertNull(index.find("com/acme/data.txt"));
        assertEquals(Set.of("com.acme"), index.packages(), "kept, so a late load of an own class names the release");
    }

    @Test
    void openFileCheckSeesTheJarOnLinux() {
        // Guards the check above: without /proc the handle assertions would be skipped silently.
        assumeTrue(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux"));
        assertTrue(Fixtures.canListOpenFiles());
    }
}
