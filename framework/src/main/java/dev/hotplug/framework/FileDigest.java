package dev.hotplug.framework;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 that identifies a file's content (a module jar, a loose native library), read once: alone, or while
 * the bytes are copied. Stateless.
 */
final class FileDigest {

    private FileDigest() {
    }

    /** Hex SHA-256 of {@code path}'s bytes. Blocks on file I/O. */
    static String of(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return digest(in, null);
        }
    }

    /**
     * Copies {@code source} to {@code target}, replacing it, and returns the hex SHA-256 of the bytes copied, so the
     * copy needs no second read to be identified. Blocks on file I/O; the copy is not synced. A copy that fails is
     * deleted, as {@link Files#copy(Path, Path, java.nio.file.CopyOption...)} does.
     */
    static String copy(Path source, Path target) throws IOException {
        try (InputStream in = Files.newInputStream(source); OutputStream out = Files.newOutputStream(target)) {
            return digest(in, out);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(target);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Reads {@code in} to its end, writing each byte to {@code out} too unless it is {@code null}. */
    private static String digest(InputStream in, OutputStream out) throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            digest.update(buffer, 0, n);
            if (out != null) {
                out.write(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
