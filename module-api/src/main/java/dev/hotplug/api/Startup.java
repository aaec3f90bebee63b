package dev.hotplug.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lifecycle method that runs once per module name per process, before its first {@link Load}. It may take a {@link ModuleContext} and prepares long-lived resources, kept in {@link ModuleContext#resources()} across reloads.
 * At most one method per class; it fails by throwing or by running past its time limit.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Startup {

    /** Time limit in milliseconds; zero or negative means the framework's default (30 s unless configured). */
    long timeoutMillis() default 0;
}
