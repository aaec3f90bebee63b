package dev.hotplug.framework;

import java.nio.file.Path;

/**
 * A module jar was refused before any of its code ran: unreadable or truncated jar, missing or malformed
 * headers, bad lifecycle methods, class files too new, or imports nobody exports.
 */
public class InvalidModuleException extends HotplugException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception; any of module, version, path and cause may be {@code null}. */
    public InvalidModuleException(String message, String module, String version, Path path, Throwable cause) {
        super(message, module, version, path, cause);
    }

    /**
     * The refusal of reading {@code jar}: "Cannot read module jar FILE: CAUSE", or "Cannot read module NAME
     * (FILE): CAUSE" once the name is known. {@code module}, {@code version} and {@code thrown} may be null.
     */
    static InvalidModuleException reading(Path jar, String module, String version, String cause, Throwable thrown) {
        String file = jar == null ? "?" : String.valueOf(jar.getFileName());
        String subject = module == null ? "module jar " + file : "module " + module + " (" + file + ")";
        return new InvalidModuleException("Cannot read " + subject + ": " + cause, module, version, jar, thrown);
    }
}
