package dev.hotplug.framework;

import java.util.Objects;

/**
 * One {@code Import-Package} clause: a package the module needs from another module, the versions it accepts
 * ({@link VersionRange#ANY} when the clause has none), and whether it may be missing
 * ({@code resolution:=optional}). Immutable.
 */
record PackageImport(String packageName, VersionRange range, boolean optional) {

    PackageImport {
        Objects.requireNonNull(packageName, "packageName");
        Objects.requireNonNull(range, "range");
    }

    /** The clause as a header would hold it: {@code com.acme.api;version="[1.0,2)"}. */
    @Override
    public String toString() {
        return packageName + (range.isAny() ? "" : ";version=\"" + range + "\"")
                + (optional ? ";resolution:=optional" : "");
    }
}
