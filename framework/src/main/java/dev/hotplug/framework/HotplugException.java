package dev.hotplug.framework;

import java.nio.file.Path;

/**
 * Root of the framework layer's failures. Messages read "Cannot &lt;action&gt; &lt;subject&gt;: &lt;cause&gt;"
 * on one line; the module, version and file concerned are fields, each {@code null} when not known.
 */
public class HotplugException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String module;
    private final String version;
    private final transient Path path;

    /** Creates the exception; any of module, version, path and cause may be {@code null}. */
    public HotplugException(String message, String module, String version, Path path, Throwable cause) {
        super(message, cause);
        this.module = module;
        this.version = version;
        this.path = path;
    }

    /** Creates the exception without a cause; any of module, version and path may be {@code null}. */
    public HotplugException(String message, String module, String version, Path path) {
        this(message, module, version, path, null);
    }

    /** The module name concerned, or {@code null} when not known. */
    public String module() {
        return module;
    }

    /** The module version concerned, or {@code null} when not known. */
    public String version() {
        return version;
    }

    /** The file concerned, or {@code null} when not known. */
    public Path path() {
        return path;
    }
}
