package dev.hotplug.state;

import java.nio.file.Path;

/**
 * The state layer's one exception: state that cannot be encoded, decoded, migrated, written or read. The
 * message reads "Cannot &lt;action&gt; state of module &lt;name&gt;: &lt;cause&gt;"; module, module version and file
 * are carried as fields where known ({@code null} where not).
 */
public class StateException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String module;
    private final String version;
    private final String path;

    /** A failure about {@code module} (version and file may be {@code null}) caused by {@code cause} (may be {@code null}). */
    public StateException(String message, String module, String version, Path path, Throwable cause) {
        super(message, cause);
        this.module = module;
        this.version = version;
        // Kept as text: Path is not serializable, and exceptions are.
        this.path = path == null ? null : path.toString();
    }

    /** A failure with no underlying exception. */
    public StateException(String message, String module, String version, Path path) {
        this(message, module, version, path, null);
    }

    /** The module's name, or {@code null} when not known. */
    public String module() {
        return module;
    }

    /** The module's version, or {@code null} when not known. */
    public String version() {
        return version;
    }

    /** The file involved, or {@code null} when none is. */
    public Path path() {
        return path == null ? null : Path.of(path);
    }
}
