package dev.hotplug.framework;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A module or package version, {@code major.minor.micro[.qualifier]}, ordered like an OSGi version: numerically
 * by major, minor and micro, then by qualifier as a string, where no qualifier sorts first
 * ({@code 1.0.0 < 1.0.0.beta}). {@link #parse(String)} also accepts the OSGi short forms {@code 1} and
 * {@code 1.2} (meaning {@code 1.0.0} and {@code 1.2.0}), because {@code Bundle-Version} and
 * {@code Export-Package} versions are commonly written that way; a qualifier needs all three numbers. Immutable.
 *
 * @param major     the major number, 0 or more
 * @param minor     the minor number, 0 or more
 * @param micro     the micro number, 0 or more
 * @param qualifier the qualifier, {@code ""} for none (never {@code null})
 */
public record ModuleVersion(int major, int minor, int micro, String qualifier) implements Comparable<ModuleVersion> {

    /** The version {@code 0.0.0}, the default of an {@code Export-Package} clause without one. */
    public static final ModuleVersion ZERO = new ModuleVersion(0, 0, 0, "");

    private static final Pattern NUMBER = Pattern.compile("[0-9]+");
    private static final Pattern QUALIFIER = Pattern.compile("[A-Za-z0-9_-]+");

    /**
     * Checks the parts.
     *
     * @throws IllegalArgumentException when a number is negative or the qualifier has characters outside
     *                                  {@code [A-Za-z0-9_-]}
     */
    public ModuleVersion {
        Objects.requireNonNull(qualifier, "qualifier");
        if (major < 0 || minor < 0 || micro < 0) {
            throw new IllegalArgumentException("invalid version " + major + "." + minor + "." + micro
                    + ": negative number");
        }
        if (!qualifier.isEmpty() && !QUALIFIER.matcher(qualifier).matches()) {
            throw new IllegalArgumentException("invalid version qualifier \"" + qualifier
                    + "\" (expected letters, digits, '_' or '-')");
        }
    }

    /**
     * Parses {@code major[.minor[.micro[.qualifier]]]}: digits only in the numbers, no blanks, qualifier
     * {@code [A-Za-z0-9_-]+}.
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    public static ModuleVersion parse(String text) {
        Objects.requireNonNull(text, "text");
        String[] parts = text.split("\\.", -1);
        if (text.isEmpty() || parts.length > 4) {
            throw invalid(text, "expected major.minor.micro[.qualifier]");
        }
        int[] numbers = new int[3];
        for (int i = 0; i < Math.min(parts.length, 3); i++) {
            if (!NUMBER.matcher(parts[i]).matches()) {
                throw invalid(text, "\"" + parts[i] + "\" is not a number");
            }
            try {
                numbers[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw invalid(text, "\"" + parts[i] + "\" is too large");
            }
        }
        String qualifier = parts.length == 4 ? parts[3] : "";
        if (parts.length == 4 && !QUALIFIER.matcher(qualifier).matches()) {
            throw invalid(text, "qualifier \"" + qualifier + "\" must be letters, digits, '_' or '-'");
        }
        return new ModuleVersion(numbers[0], numbers[1], numbers[2], qualifier);
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("invalid version \"" + text + "\": " + why);
    }

    @Override
    public int compareTo(ModuleVersion other) {
        int c = Integer.compare(major, other.major);
        if (c == 0) {
            c = Integer.compare(minor, other.minor);
        }
        if (c == 0) {
            c = Integer.compare(micro, other.micro);
        }
        return c != 0 ? c : qualifier.compareTo(other.qualifier);
    }

    /** {@code 1.2.3}, or {@code 1.2.3.qualifier}; {@link #parse(String)} reads it back. */
    @Override
    public String toString() {
        String base = major + "." + minor + "." + micro;
        return qualifier.isEmpty() ? base : base + "." + qualifier;
    }
}
