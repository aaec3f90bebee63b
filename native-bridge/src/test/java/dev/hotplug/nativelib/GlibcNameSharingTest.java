package dev.hotplug.nativelib;

import dev.hotplug.api.ModuleContext;
import dev.hotplug.isolation.LibraryResolver;
import dev.hotplug.isolation.LoaderSpec;
import dev.hotplug.isolation.ModuleClassLoader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The glibc behaviour that makes {@link NativeNamespace} rename copies: with plain per-generation folders and the
 * original file names, generation 2's libfoo.so binds to the libbar.so generation 1 loaded, because the dynamic
 * loader matches a needed name against objects already loaded before it searches {@code $ORIGIN}.
 */
class GlibcNameSharingTest {

    @TempDir
    Path dir;

    @Test
    void plainCopiesUnderOriginalNamesShareTheSiblingAcrossGenerations() {
        Path folder1 = dir.resolve("g1");
        Path folder2 = dir.resolve("g2");
        Fixtures.siblingPair(folder1, 1, 1);
        Fixtures.siblingPair(folder2, 2, 2);
        Path jar = Fixtures.moduleJar(dir.resolve("jar"), "1.0.0", Map.of());
        try (ModuleClassLoader loader1 = plainLoader(jar, 1, folder1);
             ModuleClassLoader loader2 = plainLoader(jar, 2, folder2)) {
            assertEquals(11, Fixtures.value(loader1));
            assertEquals(21, Fixtures.value(loader2), "generation 2's libfoo.so calls generation 1's libbar.so");
            assertEquals(List.of(folder2.resolve("libfoo.so")), MappedLibraries.mappedUnder(folder2));
        }
    }

    private static ModuleClassLoader plainLoader(Path jar, long generation, Path folder) {
        LibraryResolver plain = name -> folder.resolve(System.mapLibraryName(name)).toAbsolutePath();
        return new ModuleClassLoader(LoaderSpec.builder(Fixtures.MODULE, "1.0.0", generation).jar(jar)
                .classPath(List.of(".")).workDirectory(folder).apiLoader(ModuleContext.class.getClassLoader())
                .libraries(plain).build());
    }
}
