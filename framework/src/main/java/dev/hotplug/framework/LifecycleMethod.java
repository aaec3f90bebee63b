package dev.hotplug.framework;

import java.util.List;
import java.util.Objects;

/**
 * A lifecycle method found in the lifecycle class's bytecode, already checked for shape. Immutable.
 *
 * @param name          the method name
 * @param descriptor    its JVM descriptor, e.g. {@code (Ldev/hotplug/api/ModuleContext;)V}
 * @param parameters    what to pass for each parameter, in order
 * @param timeoutMillis the annotation's {@code timeoutMillis}; 0 means the framework's default
 * @param returnsValue  whether it returns something (only an {@code @Unload} method may: the state)
 */
record LifecycleMethod(String name, String descriptor, List<ParameterKind> parameters, long timeoutMillis,
                       boolean returnsValue) {

    LifecycleMethod {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(descriptor, "descriptor");
        parameters = List.copyOf(parameters);
        timeoutMillis = Math.max(0, timeoutMillis);
    }

    /** The index of the state parameter, or -1 when the method takes none. */
    int stateParameter() {
        return parameters.indexOf(ParameterKind.STATE);
    }
}
