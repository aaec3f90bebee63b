package dev.hotplug.framework;

import java.util.EnumSet;
import java.util.Set;

/**
 * The internal lifecycle of a module record. Transitions:
 * <pre>
 * STARTING  -> ACTIVE | FAILED
 * ACTIVE    -> RELOADING | STOPPING
 * RELOADING -> ACTIVE (swapped or rolled back) | FAILED (rollback failed too)
 * FAILED    -> STARTING (deployed again, or a provider came back) | STOPPING
 * STOPPING  -> REMOVED | FAILED (stopped because its provider left; it waits for one)
 * </pre>
 * REMOVED is final: a later deploy of the same name makes a new record.
 */
enum LifecycleState {
    STARTING, ACTIVE, RELOADING, FAILED, STOPPING, REMOVED;

    private Set<LifecycleState> next() {
        return switch (this) {
            case STARTING -> EnumSet.of(ACTIVE, FAILED);
            case ACTIVE -> EnumSet.of(RELOADING, STOPPING);
            case RELOADING -> EnumSet.of(ACTIVE, FAILED);
            case FAILED -> EnumSet.of(STARTING, STOPPING);
            case STOPPING -> EnumSet.of(REMOVED, FAILED);
            case REMOVED -> EnumSet.noneOf(LifecycleState.class);
        };
    }

    /** Whether this state may move to {@code target}. */
    boolean canMoveTo(LifecycleState target) {
        return next().contains(target);
    }

    /** The status users see for this state. */
    ModuleStatus status() {
        return switch (this) {
            case ACTIVE -> ModuleStatus.ACTIVE;
            case STARTING, RELOADING, STOPPING -> ModuleStatus.RELOADING;
            case FAILED, REMOVED -> ModuleStatus.FAILED;
        };
    }
}
