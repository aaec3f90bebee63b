package dev.hotplug.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the class carrying a module's lifecycle methods when the jar has no {@code Hotplug-Activator}
 * header. The framework finds it by reading bytecode, never by loading it; a jar must hold at most one.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface HotplugModule {

    /**
     * Whether a new jar may replace a running version. When {@code false} a new jar is refused with a
     * clear message until the process restarts or the module is removed.
     */
    boolean reloadable() default true;
}
