package dev.hotplug.nativelib;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.hotplug.nativelib.Fixtures.FOLDER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The staging check and the refusals of {@link NativeNamespace#resolve}: nothing of it runs module code. */
class CheckTest {

    private static final NativePlatform PLATFORM = NativePlatform.current();

    @TempDir
    Path dir;

    private NativeNamespace staged(String version, Map<String, byte[]> entries) {
        Path jar = Fixtures.moduleJar(dir.resolve("jars"), version, entries);
        return Fixtures.namespace(version, 1, jar, null, dir.resolve("g1"));
    }

    @Test
    void libraryForAnotherMachineIsRefusedWithOneClearLine() {
        byte[] library = Fixtures.jniLibrary(1);
        boolean onArm = PLATFORM.arch().equals("aarch64");
        ByteBuffer.wrap(library).order(ByteOrder.LITTLE_ENDIAN).putShort(18, (short) (onArm ? 62 : 183));
        NativeNamespace natives = staged("2.0.0", Map.of(FOLDER + "libcounter.so", library));

        NativeLibraryException e = assertThrows(NativeLibraryException.class, natives::check);

        assertEquals("Cannot stage module native-counter 2.0.0: " + FOLDER + "libcounter.so is an ELF for "
                + (onArm ? "x86_64" : "aarch64") + ", this JVM runs on " + PLATFORM.arch(), e.getMessage());
        assertEquals("native-counter", e.module());
        assertEquals("2.0.0", e.version());
        assertEquals(FOLDER + "libcounter.so", e.entry());
        assertTrue(e.path().toString().endsWith(".jar"));
    }

    @Test
    void truncatedLibraryIsRefused() {
        byte[] library = Fixtures.jniLibrary(1);
        NativeNamespace natives = staged("1.0.0", Map.of(FOLDER + "libfoo.so",
                Arrays.copyOf(library, library.length / 2)));

        NativeLibraryException e = assertThrows(NativeLibraryException.class, natives::check);

        assertTrue(e.getMessage().startsWith("Cannot stage module native-counter 1.0.0: " + FOLDER
                + "libfoo.so is truncated: its ELF "), e.getMessage());
        assertTrue(e.getMessage().endsWith(", the file has " + library.length / 2), e.getMessage());
    }

    @Test
    void garbageAndEmptyLibrariesAreRefused() {
        NativeNamespace garbage = staged("1.0.0", Map.of(FOLDER + "libfoo.so",
                "this is not a library, it is text".getBytes(StandardCharsets.UTF_8)));
        assertEquals("Cannot stage module native-counter 1.0.0: " + FOLDER
                        + "libfoo.so is not a shared library (no ELF header)",
                assertThrows(NativeLibraryException.class, garbage::check).getMessage());

        NativeNamespace empty = staged("1.0.1", Map.of(FOLDER + "libfoo.so", new byte[0]));
        assertEquals("Cannot stage module native-counter 1.0.1: " + FOLDER + "libfoo.so is empty",
                assertThrows(NativeLibraryException.class, empty::check).getMessage());
    }

    @Test
    void otherFilesAndOtherPlatformsAreNotChecked() {
        NativeNamespace natives = staged("1.0.0", Map.of(
                FOLDER + "README.txt", "not a library".getBytes(StandardCharsets.UTF_8),
                "native/windows-x86_64/foo.dll", "not checked here".getBytes(StandardCharsets.UTF_8),
                FOLDER + "libfoo.so", Fixtures.jniLibrary(1)));
        natives.check();
        assertNull(natives.resolve("README"));
    }

    @Test
    void entryEscapingTheNativeFolderIsRefused() {
        NativeNamespace natives = staged("1.0.0", Map.of(FOLDER + "../../evil.so", Fixtures.jniLibrary(1)));

        NativeLibraryException check = assertThrows(NativeLibraryException.class, natives::check);
        assertEquals("Cannot stage module native-counter 1.0.0: jar entry " + FOLDER
                + "../../evil.so escapes the native folder (\"..\")", check.getMessage());
        NativeLibraryException resolve = assertThrows(NativeLibraryException.class, () -> natives.resolve("evil"));
        assertTrue(resolve.getMessage().startsWith("Cannot load native library evil for module native-counter "
                + "1.0.0: jar entry " + FOLDER + "../../evil.so escapes"), resolve.getMessage());
        assertEquals(List.of(), Fixtures.filesUnder(dir.resolve("g1")));
    }

    @Test
    void unsafeEntryNamesAreRecognised() {
        assertEquals("has an absolute name", JarLibraries.unsafe("/native/linux-x86_64/libfoo.so"));
        assertEquals("has an absolute name", JarLibraries.unsafe("C:/native/libfoo.so"));
        assertEquals("has a backslash or NUL in its name", JarLibraries.unsafe("native\\linux-x86_64\\libfoo.so"));
        assertEquals("has an empty or \".\" path segment", JarLibraries.unsafe("native/./linux-x86_64/libfoo.so"));
        assertNull(JarLibraries.unsafe("native/linux-x86_64/libfoo.so"));
        assertNull(JarLibraries.unsafe("native/linux-x86_64/"));
    }

    @Test
    void symbolicLinkEntryIsRefused() throws Exception {
        Path jar = Fixtures.moduleJar(dir.resolve("jars"), "1.0.0", Map.of(FOLDER + "libfoo.so",
                "../outside.so".getBytes(StandardCharsets.UTF_8)));
        Files.write(jar, markSymlink(Files.readAllBytes(jar), FOLDER + "libfoo.so"));
        NativeNamespace natives = Fixtures.namespace("1.0.0", 1, jar, null, dir.resolve("g1"));

        assertEquals("Cannot stage module native-counter 1.0.0: jar entry " + FOLDER + "libfoo.so is a symbolic link",
                assertThrows(NativeLibraryException.class, natives::check).getMessage());
    }

    /** Sets Unix mode {@code lrwxrwxrwx} on the central directory record of {@code entry}. */
    private static byte[] markSymlink(byte[] zip, String entry) {
        byte[] name = entry.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; at + 46 + name.length <= zip.length; at++) {
            if (b.getInt(at) == 0x02014b50 && b.getShort(at + 28) == name.length
                    && Arrays.equals(zip, at + 46, at + 46 + name.length, name, 0, name.length)) {
                b.putShort(at + 4, (short) ((3 << 8) | 20));
                b.putInt(at + 38, 0120777 << 16);
                return zip;
            }
        }
        throw new AssertionError("no central directory record for " + entry);
    }

    @Test
    void aliasFolderIsUsedAndCompetingAliasesAreRefused() {
        String alias = "native/" + PLATFORM.os() + "-" + (PLATFORM.arch().equals("x86_64") ? "amd64" : PLATFORM.arch()
                .equals("aarch64") ? "arm64" : PLATFORM.arch()) + "/";
        NativeNamespace natives = staged("1.0.0", Map.of(alias + "libfoo.so", Fixtures.jniLibrary(1)));
        natives.check();
        assertEquals(alias + "libfoo.so", natives.resolve("foo") == null ? null : natives.loaded().get(0).source());
        natives.close();

        NativeNamespace competing = staged("1.0.1", Map.of(alias + "libfoo.so", Fixtures.jniLibrary(1),
                "native/" + PLATFORM.os().toUpperCase(Locale.ROOT) + "-" + PLATFORM.arch() + "/libfoo.so",
                Fixtures.jniLibrary(1)));
        assertTrue(assertThrows(NativeLibraryException.class, competing::check).getMessage()
                .contains(" both hold libraries for " + PLATFORM.folderName()));
    }
}
