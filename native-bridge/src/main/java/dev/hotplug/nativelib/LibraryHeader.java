package dev.hotplug.nativelib;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the first bytes of a library (ELF, Mach-O or PE) and says whether the running platform can load it:
 * format, word size, byte order and machine, file type, and whether the structures the header points at lie
 * inside the file (a truncated copy fails here rather than in the dynamic loader). No external tools.
 */
final class LibraryHeader {

    /** How much of a file is kept for inspection; headers and program headers sit well inside it. */
    static final int PREFIX = 64 * 1024;

    private static final int ELFCLASS32 = 1;
    private static final int ELFCLASS64 = 2;
    private static final int ELFDATA2LSB = 1;
    private static final int ELFDATA2MSB = 2;
    private static final int ET_DYN = 3;
    private static final int PT_LOAD = 1;

    /** Expected ELF (class, data, machine) per normalised architecture. */
    private static final Map<String, int[]> ELF_ABI = Map.of(
            "x86_64", new int[] {ELFCLASS64, ELFDATA2LSB, 62},
            "x86", new int[] {ELFCLASS32, ELFDATA2LSB, 3},
            "aarch64", new int[] {ELFCLASS64, ELFDATA2LSB, 183},
            "arm", new int[] {ELFCLASS32, ELFDATA2LSB, 40},
            "ppc64le", new int[] {ELFCLASS64, ELFDATA2LSB, 21},
            "ppc64", new int[] {ELFCLASS64, ELFDATA2MSB, 21},
            "s390x", new int[] {ELFCLASS64, ELFDATA2MSB, 22},
            "riscv64", new int[] {ELFCLASS64, ELFDATA2LSB, 243},
            "loongarch64", new int[] {ELFCLASS64, ELFDATA2LSB, 258});

    private static final Map<String, Integer> MACHO_CPU = Map.of(
            "x86_64", 0x01000007, "x86", 7, "aarch64", 0x0100000C, "arm", 12);

    private static final Map<String, Integer> PE_MACHINE = Map.of(
            "x86_64", 0x8664, "x86", 0x14C, "aarch64", 0xAA64, "arm", 0x1C4);

    private final byte[] bytes;
    private final int length;
    private final long size;

    private LibraryHeader(byte[] bytes, int length, long size) {
        this.bytes = bytes;
        this.length = length;
        this.size = size;
    }

    /** Keeps the first {@link #PREFIX} bytes of {@code in} and counts the rest; reads the stream to its end. */
    static LibraryHeader read(InputStream in) throws IOException {
        byte[] prefix = in.readNBytes(PREFIX);
        long rest = prefix.length < PREFIX ? 0 : in.transferTo(OutputStream.nullOutputStream());
        return new LibraryHeader(prefix, prefix.length, prefix.length + rest);
    }

    /** Reads the first bytes of file {@code file}. */
    static LibraryHeader read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(PREFIX, size));
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, buffer.position()) < 0) {
                    break;
                }
            }
            return new LibraryHeader(buffer.array(), buffer.position(), size);
        }
    }

    /** Whether this is an ELF file (worth reading its dynamic section). */
    boolean isElf() {
        return length >= 4 && u8(0) == 0x7F && u8(1) == 'E' && u8(2) == 'L' && u8(3) == 'F';
    }

    /**
     * Returns {@code null} when {@code platform} can load this library, else the cause, worded to follow a file
     * name: "is an ELF for aarch64, this JVM runs on x86_64".
     */
    String mismatch(NativePlatform platform) {
        String format = expectedFormat(platform);
        if (format == null) {
            return null;
        }
        if (size == 0) {
            return "is empty";
        }
        if (isElf()) {
            return format.equals("ELF") ? elf(platform) : "is an ELF library, this JVM runs on " + platform.os();
        }
        if (isMachO() || isFat()) {
            return format.equals("Mach-O") ? machO(platform)
                    : "is a Mach-O library (macOS), this JVM runs on " + platform.os();
        }
        if (length >= 2 && u8(0) == 'M' && u8(1) == 'Z') {
            return format.equals("PE") ? pe(platform)
                    : "is a Windows DLL (PE), this JVM runs on " + platform.os();
        }
        return "is not a shared library (no " + format + " header)";
    }

    private static String expectedFormat(NativePlatform platform) {
        switch (platform.os()) {
            case "linux": case "freebsd": case "openbsd": case "netbsd": case "sunos":
                return "ELF";
            case "macos":
                return "Mach-O";
            case "windows":
                return "PE";
            default:
                return null;
        }
    }

    private String elf(NativePlatform platform) {
        if (length < 16) {
            return truncated(16, "an ELF identification");
        }
        int elfClass = u8(4);
        int data = u8(5);
        if ((elfClass != ELFCLASS32 && elfClass != ELFCLASS64) || (data != ELFDATA2LSB && data != ELFDATA2MSB)) {
            return "is a corrupt ELF (class " + elfClass + ", data encoding " + data + ")";
        }
        boolean wide = elfClass == ELFCLASS64;
        int headerSize = wide ? 64 : 52;
        if (size < headerSize) {
            return truncated(headerSize, "an ELF header");
        }
        ByteBuffer b = buffer(data == ELFDATA2LSB ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int type = Short.toUnsignedInt(b.getShort(16));
        int machine = Short.toUnsignedInt(b.getShort(18));
        int[] expected = ELF_ABI.get(platform.arch());
        if (expected != null && (expected[0] != elfClass || expected[1] != data || expected[2] != machine)) {
            String found = elfMachine(elfClass, data, machine);
            if (found.equals(platform.arch())) {
                found = (wide ? "64" : "32") + "-bit " + (data == ELFDATA2LSB ? "little" : "big") + "-endian " + found;
            }
            return "is an ELF for " + found + ", this JVM runs on " + platform.arch();
        }
        if (type != ET_DYN) {
            return "is an ELF " + (type == 1 ? "relocatable object" : type == 2 ? "executable" : "of type " + type)
                    + ", not a shared library";
        }
        long phoff = wide ? b.getLong(32) : Integer.toUnsignedLong(b.getInt(28));
        long shoff = wide ? b.getLong(40) : Integer.toUnsignedLong(b.getInt(32));
        int phentsize = Short.toUnsignedInt(b.getShort(wide ? 54 : 42));
        int phnum = Short.toUnsignedInt(b.getShort(wide ? 56 : 44));
        int shentsize = Short.toUnsignedInt(b.getShort(wide ? 58 : 46));
        int shnum = Short.toUnsignedInt(b.getShort(wide ? 60 : 48));
        long programEnd = phoff + (long) phnum * phentsize;
        if (phnum == 0 || phoff <= 0) {
            return "is a corrupt ELF (no program headers)";
        }
        if (phoff > size || programEnd > size) {
            return truncated(programEnd, "its ELF program headers");
        }
        if (programEnd <= length) {
            for (int i = 0; i < phnum; i++) {
                int at = (int) (phoff + (long) i * phentsize);
                if (b.getInt(at) != PT_LOAD) {
                    continue;
                }
                long offset = wide ? b.getLong(at + 8) : Integer.toUnsignedLong(b.getInt(at + 4));
                long fileSize = wide ? b.getLong(at + 32) : Integer.toUnsignedLong(b.getInt(at + 16));
                if (beyond(offset, fileSize)) {
                    return truncated(offset + fileSize, "its ELF segments");
                }
            }
        }
        long sectionEnd = shoff + (long) shnum * shentsize;
        if (shoff != 0 && beyond(shoff, (long) shnum * shentsize)) {
            return truncated(sectionEnd, "its ELF section headers");
        }
        return null;
    }

    static String elfMachine(int elfClass, int data, int machine) {
        boolean wide = elfClass == ELFCLASS64;
        boolean little = data == ELFDATA2LSB;
        switch (machine) {
            case 62: return wide ? "x86_64" : "x32";
            case 3: return "x86";
            case 183: return little ? "aarch64" : "aarch64_be";
            case 40: return "arm";
            case 21: return little ? "ppc64le" : "ppc64";
            case 20: return "ppc";
            case 22: return wide ? "s390x" : "s390";
            case 243: return wide ? "riscv64" : "riscv32";
            case 258: return wide ? "loongarch64" : "loongarch32";
            case 8: return (wide ? "mips64" : "mips") + (little ? "el" : "");
            case 2: return "sparc";
            case 43: return "sparcv9";
            case 50: return "ia64";
            default: return "machine " + machine;
        }
    }

    private boolean isMachO() {
        if (length < 4) {
            return false;
        }
        int magic = buffer(ByteOrder.BIG_ENDIAN).getInt(0);
        return magic == 0xFEEDFACE || magic == 0xCEFAEDFE || magic == 0xFEEDFACF || magic == 0xCFFAEDFE;
    }

    /** A universal binary; 0xCAFEBABE is also a class file, told apart by the small architecture count. */
    private boolean isFat() {
        if (length < 8) {
            return false;
        }
        ByteBuffer b = buffer(ByteOrder.BIG_ENDIAN);
        int magic = b.getInt(0);
        int count = b.getInt(4);
        return (magic == 0xCAFEBABE || magic == 0xCAFEBABF) && count > 0 && count < 30;
    }

    private String machO(NativePlatform platform) {
        Integer expected = MACHO_CPU.get(platform.arch());
        if (isFat()) {
            ByteBuffer b = buffer(ByteOrder.BIG_ENDIAN);
            boolean fat64 = b.getInt(0) == 0xCAFEBABF;
            int count = b.getInt(4);
            int entry = fat64 ? 32 : 20;
            if (8L + (long) count * entry > size) {
                return truncated(8L + (long) count * entry, "its universal header");
            }
            if (8L + (long) count * entry > length) {
                return null;
            }
            List<String> found = new ArrayList<>();
            boolean matches = expected == null;
            for (int i = 0; i < count; i++) {
                int at = 8 + i * entry;
                int cpu = b.getInt(at);
                long offset = fat64 ? b.getLong(at + 8) : Integer.toUnsignedLong(b.getInt(at + 8));
                long sliceSize = fat64 ? b.getLong(at + 16) : Integer.toUnsignedLong(b.getInt(at + 12));
                if (beyond(offset, sliceSize)) {
                    return truncated(offset + sliceSize, "its universal slices");
                }
                found.add(machOCpu(cpu));
                matches |= expected != null && cpu == expected;
            }
            return matches ? null : "is a universal Mach-O for " + String.join(", ", found)
                    + ", this JVM runs on " + platform.arch();
        }
        ByteBuffer b = buffer(u8(0) == 0xFE ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        boolean wide = (b.getInt(0) & 1) == 1;
        int headerSize = wide ? 32 : 28;
        if (size < headerSize) {
            return truncated(headerSize, "a Mach-O header");
        }
        int cpu = b.getInt(4);
        if (expected != null && cpu != expected) {
            return "is a Mach-O for " + machOCpu(cpu) + ", this JVM runs on " + platform.arch();
        }
        int fileType = b.getInt(12);
        if (fileType != 6 && fileType != 8) {
            return "is a Mach-O of file type " + fileType + ", not a dynamic library or bundle";
        }
        long commandsEnd = headerSize + Integer.toUnsignedLong(b.getInt(20));
        return commandsEnd > size ? truncated(commandsEnd, "its Mach-O load commands") : null;
    }

    private static String machOCpu(int cpu) {
        switch (cpu) {
            case 7: return "x86";
            case 0x01000007: return "x86_64";
            case 12: return "arm";
            case 0x0100000C: return "aarch64";
            case 0x0200000C: return "arm64_32";
            case 18: return "ppc";
            case 0x01000012: return "ppc64";
            default: return "cpu type " + cpu;
        }
    }

    private String pe(NativePlatform platform) {
        if (size < 0x40) {
            return truncated(0x40, "a DOS header");
        }
        if (length < 0x40) {
            return null;
        }
        ByteBuffer b = buffer(ByteOrder.LITTLE_ENDIAN);
        long pe = Integer.toUnsignedLong(b.getInt(0x3C));
        if (pe + 24 > size) {
            return truncated(pe + 24, "its PE header");
        }
        if (pe + 24 > length) {
            return null;
        }
        if (b.getInt((int) pe) != 0x00004550) {
            return "is not a shared library (a DOS program without PE header)";
        }
        int machine = Short.toUnsignedInt(b.getShort((int) pe + 4));
        Integer expected = PE_MACHINE.get(platform.arch());
        if (expected != null && machine != expected) {
            return "is a Windows DLL for " + peMachine(machine) + ", this JVM runs on " + platform.arch();
        }
        int characteristics = Short.toUnsignedInt(b.getShort((int) pe + 22));
        if ((characteristics & 0x2000) == 0) {
            return "is a Windows executable, not a DLL";
        }
        int sections = Short.toUnsignedInt(b.getShort((int) pe + 6));
        long table = pe + 24 + Short.toUnsignedInt(b.getShort((int) pe + 20));
        long tableEnd = table + 40L * sections;
        if (tableEnd > size) {
            return truncated(tableEnd, "its PE section table");
        }
        if (tableEnd > length) {
            return null;
        }
        for (int i = 0; i < sections; i++) {
            int at = (int) table + 40 * i;
            long end = Integer.toUnsignedLong(b.getInt(at + 20)) + Integer.toUnsignedLong(b.getInt(at + 16));
            if (end > size) {
                return truncated(end, "its PE sections");
            }
        }
        return null;
    }

    private static String peMachine(int machine) {
        switch (machine) {
            case 0x8664: return "x86_64";
            case 0x14C: return "x86";
            case 0xAA64: return "aarch64";
            case 0x1C0: case 0x1C4: return "arm";
            case 0x200: return "ia64";
            default: return "machine 0x" + Integer.toHexString(machine);
        }
    }

    /** Whether {@code [offset, offset + count)} ends past the file, overflow and negative values included. */
    private boolean beyond(long offset, long count) {
        return offset < 0 || count < 0 || offset > size || count > size - offset;
    }

    private String truncated(long needed, String what) {
        return "is truncated: " + what + " need " + needed + " bytes, the file has " + size;
    }

    private int u8(int index) {
        return bytes[index] & 0xFF;
    }

    private ByteBuffer buffer(ByteOrder order) {
        return ByteBuffer.wrap(bytes, 0, length).slice().order(order);
    }
}
