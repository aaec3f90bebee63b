package dev.hotplug.nativelib;

import dev.hotplug.isolation.IsolationException;

import java.nio.file.Path;

/**
 * Root of the native bridge's failures: a library for the wrong platform, a corrupt or truncated library, a jar
 * entry or link escaping its folder, a copy that failed. Extends {@link IsolationException} because it crosses
 * {@link dev.hotplug.isolation.LibraryResolver#resolve(String)}. Messages read
 * "Cannot &lt;action&gt; &lt;subject&gt;: &lt;cause&gt;", one line.
 */
public class NativeLibraryException extends IsolationException {

    private static final long serialVersionUID = 1L;

    private final String entry;

    /**
     * Creates the exception. {@code path} is the file concerned (the jar for a jar entry, else the loose file or
     * copy); {@code entry} the jar entry name, or {@code null} when the file is not inside a jar. Any argument
     * but the message may be {@code null}.
     */
    public NativeLibraryException(String message, String module, String version, Path path, String entry,
                                  Throwable cause) {
        super(message, module, version, path, cause);
        this.entry = entry;
    }

    /** The jar entry concerned, such as {@code native/linux-x86_64/libfoo.so}, or {@code null}. */
    public String entry() {
        return entry;
    }
}
