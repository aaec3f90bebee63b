package dev.hotplug.framework;

import java.util.Objects;

/**
 * One {@code Export-Package} clause: a package other modules may see, at a version ({@code 0.0.0} when the
 * clause has none). Immutable.
 */
record PackageExport(String packageName, ModuleVersion version) {

    PackageExport {
        Objects.requireNonNull(packageName, "packageName");
        Objects.requireNonNull(version, "version");
    }

    /** The clause as a header would hold it: {@code com.acme.api;version=1.2.0}. */
    @Override
    public String toString() {
        return packageName + ";version=" + version;
    }
}
