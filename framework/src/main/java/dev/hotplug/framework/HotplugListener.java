package dev.hotplug.framework;

/**
 * Receives module events. Called on the framework's single event thread, in order, never while the framework holds a
 * lock; a listener that throws is logged and does not stop later events.
 */
@FunctionalInterface
public interface HotplugListener {

    /** Called once per event. */
    void onEvent(HotplugEvent event);
}
