package dev.hotplug.demo.counter.api;

/** The service the counter module exports: a count that survives reloads. */
public interface Counter {

    /** Adds one and returns the new count. */
    long increment();

    /** The version of the counter module answering, so a hot swap shows. */
    String version();
}
