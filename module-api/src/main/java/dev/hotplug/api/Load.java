package dev.hotplug.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lifecycle method that runs on every version load: first start, reload, rollback and restore. It may take, in any order, a {@link ModuleContext}, the state object (of the module's own type, {@code null} when there is none) and a {@link LoadReason}.
 * At most one method per class; it fails by throwing or by running past its time limit.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Load {

    /** Time limit in milliseconds; zero or negative means the framework's default (30 s unless configured). */
    long timeoutMillis() default 0;
}
