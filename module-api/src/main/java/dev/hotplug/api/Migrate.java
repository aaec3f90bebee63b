package dev.hotplug.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a static method of the lifecycle class turning the state tree of schema version {@link #from()}
 * into version {@code from + 1}. It takes and returns a Jackson {@code ObjectNode}
 * ({@code com.fasterxml.jackson.databind.node.ObjectNode}), whose packages the framework shares with modules.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Migrate {

    /** The schema version this step reads. */
    int from();
}
