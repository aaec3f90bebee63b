package dev.hotplug.isolation;

import dev.hotplug.testkit.CentralDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class JarEntriesTest {

    @TempDir
    Path dir;

    /** 20 000 bytes, deflated to about 5 KB: long enough to span the 8 KiB chunks readAllBytes reads in. */
    private static final byte[] CONTENT = content();

    @Test
    void readsAnEntryWhole() throws IOException {
        Path jar = jar(-1);
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry("a.bin");
            assertEquals(CONTENT.length, entry.getSize());
            assertArrayEquals(CONTENT, JarEntries.read(zip, entry));
        }
    }

    @Test
    void readsAllOfAnEntryWhoseRecordedSizeIsShort() throws IOException {
        Path jar = jar(100);
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry("a.bin");
            assertEquals(100, entry.getSize());
            assertArrayEquals(CONTENT, JarEntries.read(zip, entry));
        }
    }

    @Test
    void readsNoMoreThanAnEntryHoldsWhenItsRecordedSizeIsLong() throws IOException {
        Path jar = jar(CONTENT.length + 5000);
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry("a.bin");
            assertEquals(CONTENT.length + 5000, entry.getSize());
            assertArrayEquals(CONTENT, JarEntries.read(zip, entry));
        }
    }

    /** A zip with {@link #CONTENT} deflated as {@code a.bin}; a non-negative {@code recordedSize} is patched in. */
    private Path jar(int recordedSize) throws IOException {
        Path jar = dir.resolve("entries-" + recordedSize + ".jar");
        try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(file)) {
            zip.putNextEntry(new ZipEntry("a.bin"));
            zip.write(CONTENT);
            zip.closeEntry();
        }
        if (recordedSize >= 0) {
            CentralDirectory.recordUncompressedSize(jar, "a.bin", recordedSize);
        }
        return jar;
    }

    private static byte[] content() {
        byte[] bytes = new byte[20_000];
        Random random = new Random(42);
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) ('a' + random.nextInt(4));
        }
        return bytes;
    }
}
