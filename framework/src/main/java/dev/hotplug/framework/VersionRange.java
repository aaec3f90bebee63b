package dev.hotplug.framework;

import java.util.Objects;
import org.osgi.framework.Version;

/**
 * An OSGi version range as written in {@code Import-Package}: {@code [1.0,2)}, {@code (1.0,2.0]}, or a bare
 * {@code 1.0} meaning "1.0 or later". Parsed strictly by Apache Felix Utils (no version cleaning). Immutable.
 */
final class VersionRange {

    /** Every version: what an import without a {@code version} attribute accepts. */
    static final VersionRange ANY = new VersionRange("0.0.0",
            new org.apache.felix.utils.version.VersionRange("0.0.0", false, false));

    private final String text;
    private final org.apache.felix.utils.version.VersionRange range;

    private VersionRange(String text, org.apache.felix.utils.version.VersionRange range) {
        this.text = text;
        this.range = range;
    }

    /**
     * Parses a range, with or without surrounding quotes.
     *
     * @throws IllegalArgumentException with a message naming the text: "invalid version range \"[1.0,\""
     */
    static VersionRange parse(String text) {
        Objects.requireNonNull(text, "text");
        String bare = text.strip();
        if (bare.length() >= 2 && bare.startsWith("\"") && bare.endsWith("\"")) {
            bare = bare.substring(1, bare.length() - 1).strip();
        }
        if (bare.isEmpty()) {
            throw new IllegalArgumentException("invalid version range \"" + text + "\" (empty)");
        }
        if (bare.indexOf('"') >= 0) {
            // Felix drops stray quotes silently; an unbalanced quote is a typo worth refusing.
            throw new IllegalArgumentException("invalid version range \"" + text + "\" (unbalanced quote)");
        }
        try {
            return new VersionRange(bare, new org.apache.felix.utils.version.VersionRange(bare, false, false));
        } catch (RuntimeException e) {
            // Felix throws IllegalArgumentException, NumberFormatException or index errors for bad text.
            throw new IllegalArgumentException("invalid version range \"" + text + "\""
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
        }
    }

    /** Whether {@code version} lies inside this range. */
    boolean includes(ModuleVersion version) {
        return range.contains(new Version(version.major(), version.minor(), version.micro(), version.qualifier()));
    }

    /** Whether this is the unbounded range of an import without a version attribute. */
    boolean isAny() {
        return this == ANY;
    }

    /** The range as written (quotes removed), e.g. {@code [1.0,2)}. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof VersionRange that && range.equals(that.range);
    }

    @Override
    public int hashCode() {
        return range.hashCode();
    }
}
