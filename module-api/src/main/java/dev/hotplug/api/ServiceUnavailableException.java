package dev.hotplug.api;

/**
 * Thrown by a service proxy when no provider of the service came back within the wait limit: the provider
 * module was undeployed, failed, or never registered the service.
 */
public class ServiceUnavailableException extends ModuleException {

    private static final long serialVersionUID = 1L;

    /** The service interface's name. */
    private final String service;

    /**
     * Creates the exception.
     *
     * @param service the service interface's name
     * @param module the provider module, or {@code null} when none is known
     * @param message the whole message
     */
    public ServiceUnavailableException(String service, String module, String message) {
        super(module, message, null);
        this.service = service;
    }

    /** The service interface's name. */
    public String service() {
        return service;
    }
}
