package dev.hotplug.isolation;

/**
 * Resolves an imported package to the classloader of the generation currently exporting it. Implementations
 * must not hold exporting classloaders strongly beyond the exporter's own record, and must be thread-safe.
 */
@FunctionalInterface
public interface PackageSource {

    /** A source that exports nothing. */
    PackageSource NONE = packageName -> null;

    /**
     * Returns the classloader exporting {@code packageName} to this module, or {@code null} when the module
     * does not import it.
     */
    ClassLoader exporterOf(String packageName);
}
