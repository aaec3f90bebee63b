package dev.hotplug.console;

/**
 * A console command, the admin port or {@code ctl} could not do what was asked; the message is one line reading
 * "Cannot &lt;action&gt; &lt;subject&gt;: &lt;cause&gt;". {@link #module()} names the module concerned, {@code null} when none.
 */
public final class ConsoleException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The module concerned, {@code null} when none. */
    private final String module;

    /** A failure concerning {@code module} (may be {@code null}), with an optional {@code cause}. */
    public ConsoleException(String message, String module, Throwable cause) {
        super(message, cause);
        this.module = module;
    }

    /** The module concerned, {@code null} when none. */
    public String module() {
        return module;
    }
}
