package dev.hotplug.nativelib;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Headers of the other formats, built by hand: Mach-O and PE libraries, and ELF on the wrong system. */
class LibraryHeaderTest {

    private static final NativePlatform MAC_X64 = NativePlatform.of("macos", "x86_64");
    private static final NativePlatform MAC_ARM = NativePlatform.of("macos", "aarch64");
    private static final NativePlatform WIN_X64 = NativePlatform.of("windows", "x86_64");

    private static String mismatch(byte[] bytes, NativePlatform platform) throws IOException {
        return LibraryHeader.read(new ByteArrayInputStream(bytes)).mismatch(platform);
    }

    private static byte[] machO(int cpu, int fileType) {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0xFEEDFACF).putInt(4, cpu).putInt(12, fileType).putInt(16, 1).putInt(20, 200);
        return b.array();
    }

    private static byte[] pe(int machine, int characteristics) {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) 'M').put(1, (byte) 'Z').putInt(0x3C, 0x80);
        b.putInt(0x80, 0x00004550).putShort(0x84, (short) machine).putShort(0x86, (short) 1)
                .putShort(0x94, (short) 0xF0).putShort(0x96, (short) characteristics);
        int section = 0x80 + 24 + 0xF0;
        b.putInt(section + 16, 0x200).putInt(section + 20, 0x400);
        return b.array();
    }

    @Test
    void machOLibrariesAreCheckedForTheirCpu() throws IOException {
        byte[] arm = machO(0x0100000C, 6);
        assertNull(mismatch(arm, MAC_ARM));
        assertEquals("is a Mach-O for aarch64, this JVM runs on x86_64", mismatch(arm, MAC_X64));
        assertEquals("is a Mach-O of file type 2, not a dynamic library or bundle",
                mismatch(machO(0x0100000C, 2), MAC_ARM));
        assertEquals("is a Mach-O library (macOS), this JVM runs on linux",
                mismatch(arm, NativePlatform.of("linux", "aarch64")));
        byte[] cut = new byte[100];
        System.arraycopy(arm, 0, cut, 0, cut.length);
        assertEquals("is truncated: its Mach-O load commands need 232 bytes, the file has 100", mismatch(cut, MAC_ARM));
    }

    @Test
    void universalMachOMatchesAnyOfItsSlices() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096);
        b.putInt(0, 0xCAFEBABE).putInt(4, 2);
        b.putInt(8, 0x01000007).putInt(16, 1024).putInt(20, 1024);
        b.putInt(28, 0x0100000C).putInt(36, 2048).putInt(40, 1024);
        assertNull(mismatch(b.array(), MAC_ARM));
        assertEquals("is a universal Mach-O for x86_64, aarch64, this JVM runs on x86",
                mismatch(b.array(), NativePlatform.of("macos", "x86")));
    }

    @Test
    void windowsLibrariesAreCheckedForMachineAndDllFlag() throws IOException {
        assertNull(mismatch(pe(0x8664, 0x2022), WIN_X64));
        assertEquals("is a Windows DLL for aarch64, this JVM runs on x86_64", mismatch(pe(0xAA64, 0x2022), WIN_X64));
        assertEquals("is a Windows executable, not a DLL", mismatch(pe(0x8664, 0x0022), WIN_X64));
        byte[] cut = new byte[0x300];
        System.arraycopy(pe(0x8664, 0x2022), 0, cut, 0, cut.length);
        assertEquals("is truncated: its PE sections need 1536 bytes, the file has 768", mismatch(cut, WIN_X64));
    }

    @Test
    void elfOnWindowsIsNamedAsSuch() throws IOException {
        byte[] elf = Fixtures.jniLibrary(1);
        assertEquals("is an ELF library, this JVM runs on windows", mismatch(elf, WIN_X64));
        assertEquals("is not a shared library (no PE header)", mismatch(new byte[] {1, 2, 3}, WIN_X64));
    }

    @Test
    void elfOfTheWrongWordSizeOrByteOrderIsNamed() {
        assertEquals("x32", LibraryHeader.elfMachine(1, 1, 62));
        assertEquals("ppc64", LibraryHeader.elfMachine(2, 2, 21));
        assertEquals("mips64el", LibraryHeader.elfMachine(2, 1, 8));
        assertEquals("machine 4242", LibraryHeader.elfMachine(2, 1, 4242));
    }

    @Test
    void mapsLinesYieldTheirPath() {
        assertEquals("/var/cache/hp/g1/native/_1a_bfoo.so", MappedLibraries.pathOf(
                "7f0c1c000000-7f0c1c001000 r--p 00000000 08:01 1234                       /var/cache/hp/g1/native/_1a_bfoo.so"));
        assertEquals("/var/cache/hp/a dir/libx.so", MappedLibraries.pathOf(
                "7f0c1c000000-7f0c1c001000 r-xp 00001000 08:01 99 /var/cache/hp/a dir/libx.so (deleted)"));
        assertNull(MappedLibraries.pathOf("7ffd5b3c1000-7ffd5b3e2000 rw-p 00000000 00:00 0                  [stack]"));
        assertNull(MappedLibraries.pathOf("7ffd5b3c1000-7ffd5b3e2000 rw-p 00000000 00:00 0"));
    }
}
