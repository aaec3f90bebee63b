package dev.hotplug.nativelib;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The dynamic section of an ELF shared library copy: the libraries it needs, its soname and search paths, and
 * in-place renaming of those names. Renaming exists because glibc matches a needed name against the names of
 * objects already loaded in the process before it searches {@code $ORIGIN}: without it, generation 2's
 * {@code libfoo.so} binds to generation 1's {@code libbar.so}. A new name has the same length as the old one, so
 * the string table keeps its layout. Not thread-safe; used on a copy no one has loaded yet.
 */
final class ElfDynamic {

    private static final long DT_NULL = 0;
    private static final long DT_NEEDED = 1;
    private static final long DT_STRTAB = 5;
    private static final long DT_STRSZ = 10;
    private static final long DT_SONAME = 14;
    private static final long DT_RPATH = 15;
    private static final long DT_RUNPATH = 29;
    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final int MAX_DYNAMIC_ENTRIES = 1 << 16;

    private final FileChannel channel;
    private final long stringTable;
    private final long stringTableSize;
    private final List<long[]> entries;

    private ElfDynamic(FileChannel channel, long stringTable, long stringTableSize, List<long[]> entries) {
        this.channel = channel;
        this.stringTable = stringTable;
        this.stringTableSize = stringTableSize;
        this.entries = entries;
    }

    /**
     * Reads the dynamic section of the ELF file open in {@code channel}; {@code null} when it has none (a static
     * object) or its layout is not one this reader follows. The header was checked by {@link LibraryHeader}.
     */
    static ElfDynamic read(FileChannel channel) throws IOException {
        ByteBuffer ident = read(channel, 0, 64, ByteOrder.LITTLE_ENDIAN);
        boolean wide = ident.get(4) == 2;
        ByteOrder order = ident.get(5) == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        ByteBuffer header = ident.order(order);
        long phoff = wide ? header.getLong(32) : Integer.toUnsignedLong(header.getInt(28));
        int phentsize = Short.toUnsignedInt(header.getShort(wide ? 54 : 42));
        int phnum = Short.toUnsignedInt(header.getShort(wide ? 56 : 44));
        if (phnum == 0xFFFF || phentsize < (wide ? 56 : 32) || phentsize > 64) {
            return null;
        }
        ByteBuffer programs = read(channel, phoff, phnum * phentsize, order);
        List<long[]> loads = new ArrayList<>();
        long dynamicOffset = -1;
        long dynamicSize = 0;
        for (int i = 0; i < phnum; i++) {
            int at = i * phentsize;
            int type = programs.getInt(at);
            long offset = wide ? programs.getLong(at + 8) : Integer.toUnsignedLong(programs.getInt(at + 4));
            long vaddr = wide ? programs.getLong(at + 16) : Integer.toUnsignedLong(programs.getInt(at + 8));
            long fileSize = wide ? programs.getLong(at + 32) : Integer.toUnsignedLong(programs.getInt(at + 16));
            if (type == PT_LOAD) {
                loads.add(new long[] {offset, vaddr, fileSize});
            } else if (type == PT_DYNAMIC) {
                dynamicOffset = offset;
                dynamicSize = fileSize;
            }
        }
        if (dynamicOffset < 0 || dynamicSize <= 0 || dynamicSize > channel.size()) {
            return null;
        }
        int entrySize = wide ? 16 : 8;
        ByteBuffer dynamic = read(channel, dynamicOffset, (int) Math.min(dynamicSize,
                (long) MAX_DYNAMIC_ENTRIES * entrySize), order);
        List<long[]> entries = new ArrayList<>();
        long strtabAddress = -1;
        long strtabSize = -1;
        for (int at = 0; at + entrySize <= dynamic.limit(); at += entrySize) {
            long tag = wide ? dynamic.getLong(at) : Integer.toUnsignedLong(dynamic.getInt(at));
            long value = wide ? dynamic.getLong(at + 8) : Integer.toUnsignedLong(dynamic.getInt(at + 4));
            if (tag == DT_NULL) {
                break;
            }
            if (tag == DT_STRTAB) {
                strtabAddress = value;
            } else if (tag == DT_STRSZ) {
                strtabSize = value;
            }
            entries.add(new long[] {tag, value});
        }
        if (strtabAddress < 0 || strtabSize <= 0) {
            return null;
        }
        for (long[] load : loads) {
            if (strtabAddress >= load[1] && strtabAddress - load[1] < load[2]) {
                long fileOffset = load[0] + (strtabAddress - load[1]);
                if (fileOffset + strtabSize > channel.size()) {
                    return null;
                }
                return new ElfDynamic(channel, fileOffset, strtabSize, entries);
            }
        }
        return null;
    }

    /** The names of the libraries this one needs ({@code DT_NEEDED}), in order. */
    List<String> needed() throws IOException {
        List<String> names = new ArrayList<>();
        for (long[] entry : entries) {
            if (entry[0] == DT_NEEDED) {
                names.add(string(entry[1]));
            }
        }
        return names;
    }

    /** The library's {@code DT_SONAME}, or {@code null}. */
    String soname() throws IOException {
        for (long[] entry : entries) {
            if (entry[0] == DT_SONAME) {
                return string(entry[1]);
            }
        }
        return null;
    }

    /** Whether {@code DT_RUNPATH} is present: glibc then ignores every {@code DT_RPATH} for this object's needs. */
    boolean hasRunpath() {
        return entries.stream().anyMatch(e -> e[0] == DT_RUNPATH);
    }

    /** Whether the {@code DT_RUNPATH} names the library's own folder ({@code $ORIGIN}). */
    boolean runpathHasOrigin() throws IOException {
        return hasOrigin(DT_RUNPATH);
    }

    /** Whether the {@code DT_RPATH} names the library's own folder ({@code $ORIGIN}). */
    boolean rpathHasOrigin() throws IOException {
        return hasOrigin(DT_RPATH);
    }

    private boolean hasOrigin(long tag) throws IOException {
        for (long[] entry : entries) {
            if (entry[0] != tag) {
                continue;
            }
            for (String folder : string(entry[1]).split(":")) {
                String f = folder.replace("${ORIGIN}", "$ORIGIN");
                if (f.equals("$ORIGIN") || f.equals("$ORIGIN/") || f.equals("$ORIGIN/.")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Rewrites every {@code DT_NEEDED} string equal to {@code from} as {@code to} (same length). */
    void renameNeeded(String from, String to) throws IOException {
        rename(DT_NEEDED, from, to);
    }

    /** Rewrites the {@code DT_SONAME} string as {@code to}, which has the same length. */
    void renameSoname(String to) throws IOException {
        String from = soname();
        if (from != null) {
            rename(DT_SONAME, from, to);
        }
    }

    private void rename(long tag, String from, String to) throws IOException {
        byte[] replacement = to.getBytes(StandardCharsets.UTF_8);
        if (replacement.length != from.getBytes(StandardCharsets.UTF_8).length || to.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("renaming " + from + " to " + to + " changes its length");
        }
        for (long[] entry : entries) {
            if (entry[0] == tag && string(entry[1]).equals(from)) {
                ByteBuffer out = ByteBuffer.wrap(replacement);
                long at = stringTable + entry[1];
                while (out.hasRemaining()) {
                    at += channel.write(out, at);
                }
            }
        }
    }

    private String string(long offset) throws IOException {
        if (offset < 0 || offset >= stringTableSize) {
            throw new IOException("ELF string offset " + offset + " lies outside the string table");
        }
        int max = (int) Math.min(stringTableSize - offset, 4096);
        ByteBuffer bytes = read(channel, stringTable + offset, max, ByteOrder.LITTLE_ENDIAN);
        int end = 0;
        while (end < bytes.limit() && bytes.get(end) != 0) {
            end++;
        }
        return new String(bytes.array(), 0, end, StandardCharsets.UTF_8);
    }

    private static ByteBuffer read(FileChannel channel, long position, int count, ByteOrder order)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(count);
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("ELF file ends at " + (position + buffer.position()) + ", expected "
                        + (position + count) + " bytes");
            }
        }
        return buffer.flip().order(order);
    }
}
