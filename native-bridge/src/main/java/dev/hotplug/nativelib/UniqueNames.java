package dev.hotplug.nativelib;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Process-wide unique library file names of a given length, {@code _<token>_<tail of the original>}
 * ({@code libcounter.so} becomes {@code _k3f2_unter.so}). Equal lengths and equal strings imply the same token,
 * because the token is base-36 and the second {@code _} ends it; the token comes from one counter, so no two
 * names handed out by this class are equal. The counter starts at a random point so that a second copy of this
 * class in the same JVM (another framework instance) is unlikely to overlap. Thread-safe.
 */
final class UniqueNames {

    private static final AtomicLong COUNTER = new AtomicLong(new SecureRandom().nextInt(36 * 36 * 36 * 36));

    private UniqueNames() {
    }

    /**
     * A new name as long as {@code original} (in UTF-8 bytes), or {@code original} itself when it is too short
     * to hold a token (fewer than 3 characters more than the token needs).
     */
    static String sameLength(String original) {
        if (original.length() != original.getBytes(java.nio.charset.StandardCharsets.UTF_8).length) {
            return original;
        }
        String token = Long.toString(COUNTER.getAndIncrement(), Character.MAX_RADIX);
        int tail = original.length() - token.length() - 2;
        if (tail < 0) {
            return original;
        }
        return "_" + token + "_" + original.substring(original.length() - tail);
    }
}
