package dev.hotplug.nativelib;

import dev.hotplug.isolation.ModuleClassLoader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.hotplug.nativelib.Fixtures.FOLDER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JNI libraries loaded by real module classloaders, generation after generation. */
class GenerationLoadTest {

    @TempDir
    Path dir;

    @Test
    void twoVersionsOfOneLibraryLoadSideBySide() throws Exception {
        Path jar1 = Fixtures.moduleJar(dir.resolve("v1"), "1.0.0", Map.of(FOLDER + "libfoo.so", Fixtures.jniLibrary(1)));
        Path jar2 = Fixtures.moduleJar(dir.resolve("v2"), "2.0.0", Map.of(FOLDER + "libfoo.so", Fixtures.jniLibrary(2)));
        NativeNamespace natives1 = Fixtures.namespace("1.0.0", 1, jar1, null, dir.resolve("g1"));
        NativeNamespace natives2 = Fixtures.namespace("2.0.0", 2, jar2, null, dir.resolve("g2"));
        natives1.check();
        natives2.check();
        try (ModuleClassLoader loader1 = Fixtures.loader(natives1, "1.0.0", 1, jar1, dir.resolve("g1"));
             ModuleClassLoader loader2 = Fixtures.loader(natives2, "2.0.0", 2, jar2, dir.resolve("g2"))) {
            assertEquals(1, Fixtures.value(loader1));
            assertEquals(2, Fixtures.value(loader2));
            assertEquals(1, Fixtures.value(loader1));

            LoadedLibrary first = natives1.loaded().get(0);
            LoadedLibrary second = natives2.loaded().get(0);
            assertEquals(new LoadedLibrary("foo", FOLDER + "libfoo.so", first.copy(), false), first);
            assertEquals("foo", second.name());
            assertNotEquals(first.copy().getFileName(), second.copy().getFileName());
            assertTrue(first.copy().startsWith(dir.resolve("g1").resolve("native")));
            assertEquals(List.of(first.copy()), MappedLibraries.mappedUnder(dir.resolve("g1")));
            assertEquals(List.of(second.copy()), MappedLibraries.mappedUnder(dir.resolve("g2")));
            assertEquals(first.copy(), natives1.resolve("foo"), "resolve is idempotent");
        }
    }

    @Test
    void hundredLoadReleaseCyclesLeaveNothingMappedOrOnDisk() {
        Path jar1 = Fixtures.moduleJar(dir.resolve("v1"), "1.0.0", Map.of(FOLDER + "libfoo.so", Fixtures.jniLibrary(1)));
        Path jar2 = Fixtures.moduleJar(dir.resolve("v2"), "2.0.0", Map.of(FOLDER + "libfoo.so", Fixtures.jniLibrary(2)));
        Path generations = dir.resolve("generations");
        List<WeakReference<ClassLoader>> released = new ArrayList<>();
        for (int generation = 1; generation <= 100; generation++) {
            released.add(cycle(generation, generation % 2 == 1 ? jar1 : jar2, generations));
        }
        Fixtures.awaitWithGc(Duration.ofSeconds(20), () -> released.stream().allMatch(r -> r.get() == null)
                        && MappedLibraries.mappedUnder(generations).isEmpty()
                        && Fixtures.filesUnder(generations).isEmpty(),
                () -> released.stream().filter(r -> r.get() != null).count() + " loaders alive, mapped "
                        + MappedLibraries.mappedUnder(generations) + ", on disk " + Fixtures.filesUnder(generations));
    }

    /** One generation: stage, load, answer, release; returns a weak reference to its loader. */
    private static WeakReference<ClassLoader> cycle(int generation, Path jar, Path generations) {
        String version = generation % 2 == 1 ? "1.0.0" : "2.0.0";
        Path work = generations.resolve("g" + generation);
        NativeNamespace natives = Fixtures.namespace(version, generation, jar, null, work);
        natives.check();
        ModuleClassLoader loader = Fixtures.loader(natives, version, generation, jar, work);
        assertEquals(generation % 2 == 1 ? 1 : 2, Fixtures.value(loader), "generation " + generation);
        assertTrue(Files.exists(natives.loaded().get(0).copy()));
        loader.close();
        natives.closeWhenCollected(loader);
        return new WeakReference<>(loader);
    }

    @Test
    void siblingReachedThroughOriginIsTheGenerationsOwnCopy() throws Exception {
        Path built1 = dir.resolve("build1");
        Path built2 = dir.resolve("build2");
        Fixtures.siblingPair(built1, 1, 1);
        Fixtures.siblingPair(built2, 2, 2);
        Path jar1 = Fixtures.moduleJar(dir.resolve("v1"), "1.0.0", Map.of(
                FOLDER + "libfoo.so", Fixtures.bytes(built1.resolve("libfoo.so")),
                FOLDER + "libbar.so", Fixtures.bytes(built1.resolve("libbar.so"))));
        Path jar2 = Fixtures.moduleJar(dir.resolve("v2"), "2.0.0", Map.of(
                FOLDER + "libfoo.so", Fixtures.bytes(built2.resolve("libfoo.so")),
                FOLDER + "libbar.so", Fixtures.bytes(built2.resolve("libbar.so"))));
        Path work1 = dir.resolve("g1");
        Path work2 = dir.resolve("g2");
        NativeNamespace natives1 = Fixtures.namespace("1.0.0", 1, jar1, null, work1);
        NativeNamespace natives2 = Fixtures.namespace("2.0.0", 2, jar2, null, work2);
        natives1.check();
        natives2.check();
        ModuleClassLoader loader1 = Fixtures.loader(natives1, "1.0.0", 1, jar1, work1);
        try (ModuleClassLoader loader2 = Fixtures.loader(natives2, "2.0.0", 2, jar2, work2)) {
            assertEquals(11, Fixtures.value(loader1));
            // glibc would hand generation 2 the libbar.so generation 1 loaded (answer 21) without the renaming
            assertEquals(22, Fixtures.value(loader2));

            List<LoadedLibrary> loaded = natives2.loaded();
            assertEquals(List.of("foo", "libbar.so"), loaded.stream().map(LoadedLibrary::name).toList());
            assertEquals(FOLDER + "libbar.so", loaded.get(1).source());
            assertEquals(2, MappedLibraries.mappedUnder(work1).size(), "generation 1 maps its foo and bar");
            assertEquals(loaded.stream().map(LoadedLibrary::copy).sorted().toList(), MappedLibraries.mappedUnder(work2));

            WeakReference<ClassLoader> gone = new WeakReference<>(loader1);
            loader1.close();
            natives1.closeWhenCollected(loader1);
            loader1 = null;
            Fixtures.awaitWithGc(Duration.ofSeconds(10), () -> gone.get() == null
                            && MappedLibraries.mappedUnder(work1).isEmpty() && Fixtures.filesUnder(work1).isEmpty(),
                    () -> "mapped " + MappedLibraries.mappedUnder(work1) + ", on disk " + Fixtures.filesUnder(work1));
            assertEquals(22, Fixtures.value(loader2), "generation 2 does not depend on generation 1's copies");
            natives2.close();
            assertFalse(Files.exists(natives2.folder()));
        }
    }

    @Test
    void looseLibraryInTheWatchedFolderLoadsWhenTheJarHasNone() throws Exception {
        Path watched = Files.createDirectories(dir.resolve("modules"));
        Files.write(watched.resolve("libfoo.so"), Fixtures.jniLibrary(7));
        Path jar = Fixtures.moduleJar(watched, "1.0.0", Map.of());
        Path work = dir.resolve("g1");
        NativeNamespace natives = Fixtures.namespace("1.0.0", 1, jar, watched, work);
        natives.check();
        try (ModuleClassLoader loader = Fixtures.loader(natives, "1.0.0", 1, jar, work)) {
            assertEquals(7, Fixtures.value(loader));
        }
        LoadedLibrary library = natives.loaded().get(0);
        assertTrue(library.loose());
        assertEquals(watched.resolve("libfoo.so").toString(), library.source());
        assertTrue(natives.looseSources().contains(watched.resolve("libfoo.so")), natives.looseSources().toString());
        natives.close();
        assertEquals(List.of(), Fixtures.filesUnder(work));
    }
}
