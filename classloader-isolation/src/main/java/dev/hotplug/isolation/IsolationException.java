package dev.hotplug.isolation;

import java.nio.file.Path;

/**
 * Root of the isolation layer's failures. Messages read "Cannot &lt;action&gt; &lt;subject&gt;: &lt;cause&gt;";
 * the module, version and file concerned are fields, each {@code null} when not known.
 */
public class IsolationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String module;
    private final String version;
    private final transient Path path;

    /** Creates the exception; any of module, version, path and cause may be {@code null}. */
    public IsolationException(String message, String module, String version, Path path, Throwable cause) {
        super(message, cause);
        this.module = module;
        this.version = version;
        this.path = path;
    }

    /** The module concerned, or {@code null}. */
    public String module() {
        return module;
    }

    /** The module version concerned, or {@code null}. */
    public String version() {
        return version;
    }

    /** The file concerned, or {@code null}. */
    public Path path() {
        return path;
    }
}
