package dev.hotplug.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Rewrites what a jar's central directory says about an entry, for tests of readers that trust it. Not thread-safe
 * on the same file.
 */
public final class CentralDirectory {

    private static final int CENTRAL_HEADER = 0x02014b50;

    private CentralDirectory() {
    }

    /**
     * Makes the central directory of {@code jar} record {@code size} as the uncompressed size of {@code entryName},
     * leaving its data as it is, the way a damaged or hand-made jar can. Blocks on the file.
     *
     * @throws IllegalArgumentException when the jar has no such entry
     */
    public static void recordUncompressedSize(Path jar, String entryName, int size) throws IOException {
        byte[] bytes = Files.readAllBytes(jar);
        ByteBuffer zip = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] wanted = entryName.getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at + 46 <= bytes.length; at++) {
            if (zip.getInt(at) != CENTRAL_HEADER) {
                continue;
            }
            int nameLength = Short.toUnsignedInt(zip.getShort(at + 28));
            if (nameLength == wanted.length && at + 46 + nameLength <= bytes.length
                    && ByteBuffer.wrap(bytes, at + 46, nameLength).equals(ByteBuffer.wrap(wanted))) {
                zip.putInt(at + 24, size);
                Files.write(jar, bytes);
                return;
            }
        }
        throw new IllegalArgumentException("Cannot record a size for " + entryName + " in " + jar.getFileName()
                + ": its central directory has no such entry");
    }
}
