package dev.hotplug.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Version of the state schema a module's lifecycle class writes and reads; absent means 1. State saved
 * at an older version is brought up through the class's {@link Migrate} methods, one step at a time.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface StateVersion {

    /** The schema version, 1 or more. */
    int value();
}
