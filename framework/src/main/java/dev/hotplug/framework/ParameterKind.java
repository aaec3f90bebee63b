package dev.hotplug.framework;

/** What the framework passes for one parameter of a lifecycle method. */
enum ParameterKind {
    /** The generation's {@code dev.hotplug.api.ModuleContext}. */
    CONTEXT,
    /** The carried state object, of the method's declared type, {@code null} when there is none. */
    STATE,
    /** The {@code dev.hotplug.api.LoadReason}. */
    REASON
}
