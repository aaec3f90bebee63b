package dev.hotplug.isolation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads jar entries whole: the module loader reads class bytes through it, and the framework's bytecode scans, which
 * run on every reload before the new version's loader exists.
 */
public final class JarEntries {

    private JarEntries() {
    }

    /**
     * The bytes of {@code entry}, read into one array of the size the jar records for it, where
     * {@code InputStream.readAllBytes} would fill an 8 KiB buffer and copy it: a reload reads each class several times,
     * and that garbage was a third of what it allocated. Blocks on the file; thread-safe as {@link ZipFile} is.
     */
    public static byte[] read(ZipFile jar, ZipEntry entry) throws IOException {
        try (InputStream in = jar.getInputStream(entry)) {
            long size = entry.getSize();
            if (size < 0 || size > Integer.MAX_VALUE - 8) {
                return in.readAllBytes();
            }
            byte[] bytes = in.readNBytes((int) size);
            int next = in.read();
            if (next < 0) {
                return bytes;
            }
            // The jar understated the size: keep all of it, as readAllBytes would.
            ByteArrayOutputStream whole = new ByteArrayOutputStream(bytes.length + 8192);
            whole.write(bytes);
            whole.write(next);
            in.transferTo(whole);
            return whole.toByteArray();
        }
    }
}
