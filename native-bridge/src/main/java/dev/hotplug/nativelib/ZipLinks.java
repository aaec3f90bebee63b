package dev.hotplug.nativelib;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * Finds the entries of a zip file stored as symbolic links (Unix mode {@code S_IFLNK} in the central directory's
 * external attributes), which {@link java.util.zip.ZipFile} does not expose. Reads the central directory only.
 */
final class ZipLinks {

    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int MAX_COMMENT = 0xFFFF;
    private static final long MAX_CENTRAL_DIRECTORY = 256L << 20;
    private static final int S_IFMT = 0170000;
    private static final int S_IFLNK = 0120000;

    private ZipLinks() {
    }

    /** The names of the entries of {@code zip} that are symbolic links. */
    static Set<String> of(Path zip) throws IOException {
        try (FileChannel channel = FileChannel.open(zip, StandardOpenOption.READ)) {
            long size = channel.size();
            int tailLength = (int) Math.min(size, 22 + MAX_COMMENT);
            ByteBuffer tail = read(channel, size - tailLength, tailLength);
            int eocd = -1;
            for (int i = tailLength - 22; i >= 0; i--) {
                if (tail.getInt(i) == EOCD) {
                    eocd = i;
                    break;
                }
            }
            if (eocd < 0) {
                throw new IOException("no zip end-of-central-directory record");
            }
            long entries = Short.toUnsignedInt(tail.getShort(eocd + 10));
            long directorySize = Integer.toUnsignedLong(tail.getInt(eocd + 12));
            long directoryStart = size - tailLength + eocd - directorySize;
            if (entries == 0xFFFF || directorySize == 0xFFFFFFFFL
                    || Integer.toUnsignedLong(tail.getInt(eocd + 16)) == 0xFFFFFFFFL) {
                long locator = size - tailLength + eocd - 20;
                if (locator < 0) {
                    throw new IOException("zip64 locator missing");
                }
                ByteBuffer zip64Locator = read(channel, locator, 20);
                if (zip64Locator.getInt(0) != ZIP64_LOCATOR) {
                    throw new IOException("zip64 locator missing");
                }
                long recordAt = zip64Locator.getLong(8);
                ByteBuffer record = read(channel, recordAt, 56);
                if (record.getInt(0) != ZIP64_EOCD) {
                    throw new IOException("zip64 end-of-central-directory record missing");
                }
                entries = record.getLong(32);
                directorySize = record.getLong(40);
                directoryStart = recordAt - directorySize;
            }
            if (directorySize > MAX_CENTRAL_DIRECTORY || directoryStart < 0) {
                throw new IOException("central directory of " + directorySize + " bytes at " + directoryStart);
            }
            ByteBuffer directory = read(channel, directoryStart, (int) directorySize);
            Set<String> links = new HashSet<>();
            int at = 0;
            for (long i = 0; i < entries; i++) {
                if (at + 46 > directory.limit() || directory.getInt(at) != CENTRAL) {
                    throw new IOException("corrupt central directory at entry " + i);
                }
                int host = Short.toUnsignedInt(directory.getShort(at + 4)) >>> 8;
                int nameLength = Short.toUnsignedInt(directory.getShort(at + 28));
                int extraLength = Short.toUnsignedInt(directory.getShort(at + 30));
                int commentLength = Short.toUnsignedInt(directory.getShort(at + 32));
                int mode = directory.getInt(at + 38) >>> 16;
                if (at + 46 + nameLength > directory.limit()) {
                    throw new IOException("corrupt central directory at entry " + i);
                }
                // host 3 is Unix, 19 is OS X: the only ones whose upper attribute bits are a file mode
                if ((host == 3 || host == 19) && (mode & S_IFMT) == S_IFLNK) {
                    links.add(new String(directory.array(), at + 46, nameLength, StandardCharsets.UTF_8));
                }
                at += 46 + nameLength + extraLength + commentLength;
            }
            return links;
        }
    }

    private static ByteBuffer read(FileChannel channel, long position, int count) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(count).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("zip file ends before byte " + (position + count));
            }
        }
        return buffer.flip().order(ByteOrder.LITTLE_ENDIAN);
    }
}
