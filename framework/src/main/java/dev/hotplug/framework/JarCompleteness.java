package dev.hotplug.framework;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Whether a jar in the watched folder is whole: its ZIP end-of-central-directory record reads, and the central
 * directory it points to, and every entry that directory lists, fit inside the file. A jar still being copied has no
 * such record at its end yet. Reads the file's tail and its directory only; stateless and thread-safe.
 */
final class JarCompleteness {

    private static final int EOCD_SIGNATURE = 0x06054b50;
    private static final int CEN_SIGNATURE = 0x02014b50;
    private static final int LOC_SIGNATURE = 0x04034b50;
    private static final int ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
    private static final int EOCD_SIZE = 22;
    private static final int CEN_SIZE = 46;
    private static final int LOC_SIZE = 30;
    private static final int MAX_COMMENT = 0xFFFF;

    private JarCompleteness() {
    }

    /** Returns {@code null} when {@code jar} is a complete ZIP, else why not (one short phrase). Blocks on file I/O. */
    static String check(Path jar) {
        try (FileChannel channel = FileChannel.open(jar, StandardOpenOption.READ)) {
            return check(channel);
        } catch (IOException e) {
            return "cannot read it (" + e + ")";
        }
    }

    /**
     * As {@link #check(Path)}, then reads every entry to its end, so each one's CRC is checked: a jar written out of
     * order (a preallocated file filled in by parallel writers, as download managers do) has a whole directory at
     * its end long before its data. Reads the whole file; for the watcher's last look before acting on a jar.
     */
    static String verify(Path jar) {
        String structure = check(jar);
        if (structure != null) {
            return structure;
        }
        int listed;
        int read = 0;
        try (ZipFile zip = new ZipFile(jar.toFile());
             ZipInputStream in = new ZipInputStream(new BufferedInputStream(Files.newInputStream(jar)))) {
            listed = zip.size();
            byte[] buffer = new byte[16 * 1024];
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                while (in.read(buffer) >= 0) {
                    // the CRC is checked when the entry's end is reached
                }
                read++;
            }
        } catch (IOException e) {
            return "its entries do not read whole yet (" + e.getMessage() + ")";
        }
        // A run of zeros where a local header belongs ends ZipInputStream's walk early, without an error.
        return read == listed ? null : "only " + read + " of its " + listed + " entries read whole yet";
    }

    private static String check(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < EOCD_SIZE) {
            return "only " + size + " bytes, no end-of-central-directory record";
        }
        int tailLength = (int) Math.min(size, EOCD_SIZE + MAX_COMMENT);
        ByteBuffer tail = read(channel, size - tailLength, tailLength);
        int eocd = -1;
        // The record sits at the very end unless an archive comment follows it; the comment length must then match.
        for (int i = tailLength - EOCD_SIZE; i >= 0; i--) {
            if (tail.getInt(i) == EOCD_SIGNATURE && i + EOCD_SIZE + Short.toUnsignedInt(tail.getShort(i + 20)) == tailLength) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            return "no end-of-central-directory record at its end";
        }
        long eocdPosition = size - tailLength + eocd;
        if (eocd >= 20 && tail.getInt(eocd - 20) == ZIP64_LOCATOR_SIGNATURE) {
            return null; // ZIP64: sizes live elsewhere; the settle window alone vouches for it
        }
        int entries = Short.toUnsignedInt(tail.getShort(eocd + 10));
        long cenSize = Integer.toUnsignedLong(tail.getInt(eocd + 12));
        long cenOffset = Integer.toUnsignedLong(tail.getInt(eocd + 16));
        if (cenOffset + cenSize > eocdPosition) {
            return "its central directory (" + cenOffset + "+" + cenSize + ") runs past the end record at " + eocdPosition;
        }
        ByteBuffer cen = read(channel, cenOffset, (int) cenSize);
        int at = 0;
        long firstLocal = -1;
        for (int n = 0; n < entries; n++) {
            if (at + CEN_SIZE > cenSize || cen.getInt(at) != CEN_SIGNATURE) {
                return "central directory entry " + n + " of " + entries + " is missing";
            }
            long compressed = Integer.toUnsignedLong(cen.getInt(at + 20));
            int nameLength = Short.toUnsignedInt(cen.getShort(at + 28));
            int extraLength = Short.toUnsignedInt(cen.getShort(at + 30));
            int commentLength = Short.toUnsignedInt(cen.getShort(at + 32));
            long local = Integer.toUnsignedLong(cen.getInt(at + 42));
            if (local + LOC_SIZE + nameLength + compressed > cenOffset) {
                return "entry " + n + " (" + local + "+" + compressed + " bytes) runs into the central directory";
            }
            if (n == 0) {
                firstLocal = local;
            }
            at += CEN_SIZE + nameLength + extraLength + commentLength;
        }
        if (firstLocal >= 0 && read(channel, firstLocal, 4).getInt(0) != LOC_SIGNATURE) {
            return "its first entry has no local header at " + firstLocal;
        }
        return null;
    }

    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("file shrank while being read");
            }
        }
        return buffer.flip();
    }
}
