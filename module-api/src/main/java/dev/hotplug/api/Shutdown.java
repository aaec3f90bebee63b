package dev.hotplug.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lifecycle method that runs once, when the module leaves the process: undeployed, or the framework stops. It may take a {@link ModuleContext} and releases long-lived resources.
 * At most one method per class; it fails by throwing or by running past its time limit.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Shutdown {

    /** Time limit in milliseconds; zero or negative means the framework's default (30 s unless configured). */
    long timeoutMillis() default 0;
}
