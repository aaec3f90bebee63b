package dev.hotplug.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hotplug.testkit.ModuleJarBuilder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A spec that cannot describe a working generation is refused, naming the module. */
class LoaderSpecTest {

    @TempDir
    Path dir;

    private static void assertNamesModule(IsolationException e, String cause) {
        assertTrue(e.getMessage().startsWith("Cannot "), e.getMessage());
        assertTrue(e.getMessage().contains("shop 1.0.0"), e.getMessage());
        assertTrue(e.getMessage().contains(cause), e.getMessage());
        assertEquals("shop", e.module());
        assertEquals("1.0.0", e.version());
    }

    @Test
    void missingJarIsRefused() {
        IsolationException e = assertThrows(IsolationException.class,
                () -> LoaderSpec.builder("shop", "1.0.0", 1).apiLoader(Fixtures.API_LOADER).build());
        assertNamesModule(e, "no jar");
    }

    @Test
    void jarFileThatDoesNotExistIsRefusedWhenTheLoaderOpens() {
        Path absent = dir.resolve("absent.jar");
        LoaderSpec spec = Fixtures.spec("shop", 1, absent).build();
        IsolationException e = assertThrows(IsolationException.class, () -> new ModuleClassLoader(spec));
        assertNamesModule(e, "absent.jar");
        assertEquals(absent, e.path());
    }

    @Test
    void corruptJarIsRefusedNamingModuleAndFile() throws Exception {
        Path corrupt = Files.write(dir.resolve("shop-1.0.0.jar"), "not a zip at all".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        IsolationException e = assertThrows(IsolationException.class,
                () -> new ModuleClassLoader(Fixtures.spec("shop", 1, corrupt).build()));
        assertNamesModule(e, "shop-1.0.0.jar");
        assertEquals(corrupt, e.path());
    }

    @Test
    void missingApiLoaderIsRefused() {
        IsolationException e = assertThrows(IsolationException.class,
                () -> LoaderSpec.builder("shop", "1.0.0", 1).jar(dir.resolve("x.jar")).build());
        assertNamesModule(e, "dev.hotplug.api");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../outside.jar", "lib/../../x.jar", "/abs/x.jar", "lib\\x.jar", ".."})
    void classPathEntryLeavingTheJarIsRefused(String entry) {
        IsolationException e = assertThrows(IsolationException.class,
                () -> Fixtures.spec("shop", 1, dir.resolve("x.jar")).classPath(List.of(".", entry))
                        .workDirectory(dir).build());
        assertNamesModule(e, entry);
    }

    @Test
    void emptyClassPathIsRefused() {
        IsolationException e = assertThrows(IsolationException.class,
                () -> Fixtures.spec("shop", 1, dir.resolve("x.jar")).classPath(List.of()).build());
        assertNamesModule(e, "empty class path");
    }

    @Test
    void nestedJarWithoutWorkDirectoryIsRefused() {
        IsolationException e = assertThrows(IsolationException.class,
                () -> Fixtures.spec("shop", 1, dir.resolve("x.jar")).classPath(List.of(".", "lib/dep.jar")).build());
        assertNamesModule(e, "lib/dep.jar");
    }

    @Test
    void nestedArchiveNotEndingInJarWithoutWorkDirectoryIsRefused() {
        Path jar = ModuleJarBuilder.module("shop", "1.0.0")
                .nestedJar("lib/dep.zip", ModuleJarBuilder.plain().source("com.dep.D", "package com.dep; public class D {}"))
                .writeTo(dir);
        IsolationException e = assertThrows(IsolationException.class,
                () -> new ModuleClassLoader(Fixtures.spec("shop", 1, jar).classPath(List.of(".", "lib/dep.zip")).build()));
        assertNamesModule(e, "lib/dep.zip");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "*", "some..pkg", "1abc", "some.pkg.", "some.*.x", "some pkg", "some.**"})
    void badSharedPackageIsRefused(String shared) {
        IsolationException e = assertThrows(IsolationException.class,
                () -> Fixtures.spec("shop", 1, dir.resolve("x.jar")).share(Fixtures.API_LOADER, Set.of(shared)).build());
        assertNamesModule(e, "shared package \"" + shared + "\"");
    }

    @Test
    void goodSpecKeepsWhatItWasGiven() {
        PackageSource imports = pkg -> null;
        LoaderSpec spec = Fixtures.spec("shop", 5, dir.resolve("x.jar"))
                .classPath(List.of(".", "classes/", "lib/dep.jar")).workDirectory(dir)
                .share(Fixtures.API_LOADER, Set.of("some.pkg", "some.tree.*")).imports(imports).build();
        assertEquals("shop", spec.module());
        assertEquals(5, spec.generation());
        assertEquals(List.of(".", "classes/", "lib/dep.jar"), spec.classPath());
        assertEquals(Set.of("some.pkg", "some.tree.*"), spec.sharedPackages());
        assertTrue(spec.isShared("some.pkg") && spec.isShared("some.tree") && spec.isShared("some.tree.deep"));
        assertTrue(!spec.isShared("some.pkg.deeper") && !spec.isShared("some.treehouse") && !spec.isShared("some"));
        assertEquals(imports, spec.imports());
    }
}
