package dev.hotplug.nativelib;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.hotplug.nativelib.Fixtures.FOLDER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where {@link NativeNamespace#resolve} looks, what it refuses and what it leaves behind. */
class ResolveTest {

    @TempDir
    Path dir;

    @Test
    void jarLibraryWinsOverLooseOne() throws Exception {
        Path watched = Files.createDirectories(dir.resolve("modules"));
        Files.write(watched.resolve("libfoo.so"), Fixtures.jniLibrary(2));
        Path jar = Fixtures.moduleJar(dir.resolve("jars"), "1.0.0", Map.of(FOLDER + "libfoo.so", Fixtures.jniLibrary(1)));
        NativeNamespace natives = Fixtures.namespace("1.0.0", 1, jar, watched, dir.resolve("g1"));

        Path copy = natives.resolve("foo");

        assertEquals(List.of(new LoadedLibrary("foo", FOLDER + "libfoo.so", copy, false)), natives.loaded());
        assertEquals(Set.of(), natives.looseSources());
        assertTrue(copy.isAbsolute());
        assertEquals(dir.resolve("g1").resolve("native"), copy.getParent());
        assertEquals("libfoo.so".length(), copy.getFileName().toString().length());
        assertNull(natives.resolve("missing"));
    }

    @Test
    void looseSymlinkInsideTheWatchedFolderIsFollowedAndReported() throws Exception {
        Path watched = Files.createDirectories(dir.resolve("modules"));
        Path real = Files.write(watched.resolve("libfoo-1.2.so"), Fixtures.jniLibrary(1));
        Path link = Files.createSymbolicLink(watched.resolve("libfoo.so"), Path.of("libfoo-1.2.so"));
        NativeNamespace natives = Fixtures.namespace("1.0.0", 1, null, watched, dir.resolve("g1"));

        assertNotNull(natives.resolve("foo"));

        assertEquals(Set.of(link, real.toRealPath()), natives.looseSources());
        assertTrue(natives.loaded().get(0).loose());
    }

    @Test
    void looseSymlinkLeavingTheWatchedFolderIsRefused() throws Exception {
        Path outside = Files.write(Files.createDirectories(dir.resolve("elsewhere")).resolve("libfoo.so"),
                Fixtures.jniLibrary(1));
        Path watched = Files.createDirectories(dir.resolve("modules"));
        Path link = Files.createSymbolicLink(watched.resolve("libfoo.so"), outside);
        NativeNamespace natives = Fixtures.namespace("1.0.0", 1, null, watched, dir.resolve("g1"));

        NativeLibraryException e = assertThrows(NativeLibraryException.class, () -> natives.resolve("foo"));

        assertEquals("Cannot load native library foo for module native-counter 1.0.0: " + link + " links to "
                + outside.toRealPath() + ", outside the watched folder " + watched.toRealPath(), e.getMessage());
        assertEquals(link, e.path());
        assertEquals(List.of(), natives.loaded());
        assertEquals(List.of(), Fixtures.filesUnder(dir.resolve("g1")));
    }

    @Test
    void brokenLooseSymlinkIsRefused() throws Exception {
        Path watched = Files.createDirectories(dir.resolve("modules"));
        Path link = Files.createSymbolicLink(watched.resolve("libfoo.so"), Path.of("gone.so"));
        NativeNamespace natives = Fixtures.namespace("1.0.0", 1, null, watched, dir.resolve("g1"));

        assertEquals("Cannot load native library foo for module native-counter 1.0.0: " + link
                + " is a broken symbolic link",
                assertThrows(NativeLibraryException.class, () -> natives.resolve("foo")).getMessage());
    }

    @Test
    void pinnedSnapshotOfALooseLibraryIsLoadedInsteadOfTheNewerFileInTheWatchedFolder() throws Exception {
        Path watched = Files.createDirectories(dir.resolve("modules"));
        Path file = Files.write(watched.resolve("libfoo.so"), Fixtures.jniLibrary(1));
        NativeNamespace first = Fixtures.namespace("1.0.0", 1, null, watched, dir.resolve("g1"));
        assertNotNull(first.resolve("foo"));
        Map<String, Path> snapshots = first.looseSnapshots();
        assertEquals(Set.of("libfoo.so"), snapshots.keySet());
        Files.write(file, Fixtures.jniLibrary(2));

        NativeNamespace again = NativeNamespace.builder(Fixtures.MODULE, "1.0.0", 2).looseFolder(watched)
                .pinLoose(snapshots).workDirectory(dir.resolve("g2")).build();
        Path copy = again.resolve("foo");

        assertEquals(copy.getParent(), dir.resolve("g2").resolve("native"));
        assertTrue(Arrays.equals(Fixtures.jniLibrary(1), Files.readAllBytes(again.looseSnapshots().get("libfoo.so"))),
                "the bytes the first generation loaded, not the file now in the folder");
        assertEquals(Set.of(file), again.looseSources(), "a later change to the folder's file still concerns it");
        first.close();
        assertEquals(List.of(), Fixtures.filesUnder(dir.resolve("g1")), "close deletes the snapshot too");
        again.close();
        assertEquals(List.of(), Fixtures.filesUnder(dir.resolve("g2")));
    }

    @Test
    void looseLibraryForAnotherMachineIsRefusedAndItsCopyRemoved() throws Exception {
        byte[] library = Fixtures.jniLibrary(1);
        ByteBuffer.wrap(library).order(ByteOrder.LITTLE_ENDIAN).putShort(18, (short) 2);
        Path watched = Files.createDirectories(dir.resolve("modules"));
        Path file = Files.write(watched.resolve("libfoo.so"), library);
        NativeNamespace natives = Fixtures.namespace("1.0.0", 1, null, watched, dir.resolve("g1"));

        NativeLibraryException e = assertThrows(NativeLibraryException.class, () -> natives.resolve("foo"));

        assertEquals("Cannot load native library foo for module native-counter 1.0.0: " + file
                + " is an ELF for sparc, this JVM runs on " + NativePlatform.current().arch(), e.getMessage());
        assertEquals(List.of(), natives.loaded());
        assertEquals(Set.of(), natives.looseSources());
        assertEquals(List.of(), Fixtures.filesUnder(dir.resolve("g1")));
    }

    @Test
    void siblingForAnotherMachineFailsTheWholeResolve() {
        Path built = dir.resolve("build");
        Fixtures.siblingPair(built, 1, 1);
        byte[] bar = Fixtures.bytes(built.resolve("libbar.so"));
        ByteBuffer.wrap(bar).order(ByteOrder.LITTLE_ENDIAN).putShort(18, (short) 2);
        Path jar = Fixtures.moduleJar(dir.resolve("jars"), "1.0.0", Map.of(
                FOLDER + "libfoo.so", Fixtures.bytes(built.resolve("libfoo.so")), FOLDER + "libbar.so", bar));
        NativeNamespace natives = Fixtures.namespace("1.0.0", 1, jar, null, dir.resolve("g1"));

        NativeLibraryException e = assertThrows(NativeLibraryException.class, () -> natives.resolve("foo"));

        assertEquals("Cannot load native library foo for module native-counter 1.0.0: " + FOLDER
                + "libbar.so is an ELF for sparc, this JVM runs on " + NativePlatform.current().arch(), e.getMessage());
        assertEquals(List.of(), natives.loaded());
        assertEquals(List.of(), Fixtures.filesUnder(dir.resolve("g1")));
    }

    @Test
    void siblingCopiesAreRenamedConsistently() throws Exception {
        Path built = dir.resolve("build");
        Fixtures.siblingPair(built, 1, 1);
        Path jar = Fixtures.moduleJar(dir.resolve("jars"), "1.0.0", Map.of(
                FOLDER + "libfoo.so", Fixtures.bytes(built.resolve("libfoo.so")),
                FOLDER + "libbar.so", Fixtures.bytes(built.resolve("libbar.so"))));
        NativeNamespace natives = Fixtures.namespace("1.0.0", 1, jar, null, dir.resolve("g1"));

        Path foo = natives.resolve("foo");
        Path bar = natives.loaded().get(1).copy();
        assertEquals(bar, natives.resolve("bar"), "a sibling asked for by name is the same copy");

        try (FileChannel channel = FileChannel.open(foo)) {
            assertEquals(List.of(bar.getFileName().toString()), ElfDynamic.read(channel).needed());
        }
        assertEquals(2, natives.loaded().size());
    }

    @Test
    void oldStyleRpathOriginIsFollowedToo() throws Exception {
        Path built = dir.resolve("build");
        Fixtures.siblingPair(built, 1, 1, "-Wl,-rpath,$ORIGIN", "-Wl,--disable-new-dtags");
        Path jar = Fixtures.moduleJar(dir.resolve("jars"), "1.0.0", Map.of(
                FOLDER + "libfoo.so", Fixtures.bytes(built.resolve("libfoo.so")),
                FOLDER + "libbar.so", Fixtures.bytes(built.resolve("libbar.so"))));
        NativeNamespace natives = Fixtures.namespace("1.0.0", 1, jar, null, dir.resolve("g1"));

        Path foo = natives.resolve("foo");

        assertEquals(List.of("foo", "libbar.so"), natives.loaded().stream().map(LoadedLibrary::name).toList());
        try (FileChannel channel = FileChannel.open(foo)) {
            ElfDynamic dynamic = ElfDynamic.read(channel);
            assertFalse(dynamic.hasRunpath());
            assertTrue(dynamic.rpathHasOrigin());
            assertEquals(List.of(natives.loaded().get(1).copy().getFileName().toString()), dynamic.needed());
        }
    }

    @Test
    void siblingNotReachedThroughOriginIsLeftToTheSystem() throws Exception {
        Path built = dir.resolve("build");
        Fixtures.siblingPair(built, 1, 1, "-Wl,-rpath,$ORIGIN/../lib");
        Path jar = Fixtures.moduleJar(dir.resolve("jars"), "1.0.0", Map.of(
                FOLDER + "libfoo.so", Fixtures.bytes(built.resolve("libfoo.so")),
                FOLDER + "libbar.so", Fixtures.bytes(built.resolve("libbar.so"))));
        NativeNamespace natives = Fixtures.namespace("1.0.0", 1, jar, null, dir.resolve("g1"));

        Path foo = natives.resolve("foo");

        assertEquals(1, natives.loaded().size());
        try (FileChannel channel = FileChannel.open(foo)) {
            assertEquals(List.of("libbar.so"), ElfDynamic.read(channel).needed());
        }
    }

    @Test
    void concurrentResolvesShareOneCopy() throws Exception {
        Path jar = Fixtures.moduleJar(dir.resolve("jars"), "1.0.0", Map.of(FOLDER + "libfoo.so", Fixtures.jniLibrary(1)));
        NativeNamespace natives = Fixtures.namespace("1.0.0", 1, jar, null, dir.resolve("g1"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Path>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return natives.resolve("foo");
                }));
            }
            start.countDown();
            Set<Path> paths = new HashSet<>();
            for (Future<Path> answer : answers) {
                paths.add(answer.get(10, TimeUnit.SECONDS));
            }
            assertEquals(1, paths.size());
            assertEquals(1, Fixtures.filesUnder(dir.resolve("g1")).size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void namesWithSeparatorsAndReleasedGenerationsAreRefused() {
        NativeNamespace natives = Fixtures.namespace("1.0.0", 3, null, dir, dir.resolve("g3"));
        assertThrows(NativeLibraryException.class, () -> natives.resolve("../etc/foo"));
        natives.close();
        NativeLibraryException e = assertThrows(NativeLibraryException.class, () -> natives.resolve("foo"));
        assertEquals("Cannot load native library foo for module native-counter 1.0.0: generation 3 is released",
                e.getMessage());
        assertFalse(Files.exists(natives.folder()));
    }

    @Test
    void closeDeletesCopiesAtOnceAndIsIdempotent() {
        Path jar = Fixtures.moduleJar(dir.resolve("jars"), "1.0.0", Map.of(FOLDER + "libfoo.so", Fixtures.jniLibrary(1)));
        NativeNamespace natives = Fixtures.namespace("1.0.0", 1, jar, null, dir.resolve("g1"));
        Path copy = natives.resolve("foo");
        assertTrue(Files.isRegularFile(copy));

        natives.close();
        natives.close();

        assertFalse(Files.exists(copy));
        assertFalse(Files.exists(natives.folder()));
        assertEquals(1, natives.loaded().size(), "the record outlives the copies");
    }
}
