package dev.hotplug.api;

/**
 * Root of the exceptions the framework throws into module code. Messages read
 * "Cannot &lt;action&gt; &lt;subject&gt;: &lt;cause&gt;"; {@link #module()} names the module concerned.
 */
public class ModuleException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The module concerned, or {@code null} when none is. */
    private final String module;

    /**
     * Creates the exception.
     *
     * @param module the module concerned, or {@code null}
     * @param message the whole message
     * @param cause the cause, or {@code null}
     */
    public ModuleException(String module, String message, Throwable cause) {
        super(message, cause);
        this.module = module;
    }

    /** The module concerned, or {@code null} when none is. */
    public String module() {
        return module;
    }
}
