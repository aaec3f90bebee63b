package dev.hotplug.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;

/** The admin port's shared secret: 32 random bytes in hex, kept in {@code <state>/admin.token} with mode 0600. */
final class AdminToken {

    static final String FILE_NAME = "admin.token";

    private AdminToken() {
    }

    /** Writes a fresh token to {@code file}, created owner-only from the start (where POSIX permissions exist). */
    static String create(Path file) {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        try {
            Files.deleteIfExists(file);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(
                        EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
            } catch (UnsupportedOperationException e) {
                // No POSIX permissions here (Windows): the file inherits the state folder's ACL, the user's own.
                Files.createFile(file);
            }
            Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
            return token;
        } catch (IOException e) {
            throw new ConsoleException("Cannot write admin token " + file + ": " + e, null, e);
        }
    }

    /** Reads the token from {@code file}. */
    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new ConsoleException("Cannot read admin token " + file + ": " + e
                    + " (is ./hotplug run running with this --state?)", null, e);
        }
    }

    /** Compares in constant time, so the answer's timing says nothing about how much of the token matched. */
    static boolean matches(String expected, String offered) {
        return offered != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                offered.strip().getBytes(StandardCharsets.UTF_8));
    }
}
