package dev.hotplug.framework;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Everything the framework knows about one module name while it is in the process: the serving generation (switched
 * through one atomic reference), its lifecycle state, the last failure, the history of attempts and the resources
 * kept across reloads. Mutated under the framework's operation lock; read from any thread.
 */
final class ModuleRecord {

    private static final int HISTORY_LIMIT = 200;

    private final String name;
    private final ConcurrentMap<String, Object> resources = new ConcurrentHashMap<>();
    private final AtomicReference<ModuleGeneration> active = new AtomicReference<>();
    private final Deque<HistoryEntry> history = new ArrayDeque<>();
    private final AtomicLong reloads = new AtomicLong();
    private volatile LifecycleState state = LifecycleState.STARTING;
    private volatile String lastError;
    private volatile ModuleSpec spec;
    private volatile Path source;
    /** The jar copy of the version that served before the current one, for {@code rollback NAME}. */
    private volatile Path previousCopy;
    private volatile String previousVersion;
    private boolean startupDone;
    /** Failed only because a provider is missing: started again when one arrives. */
    private volatile boolean waiting;

    ModuleRecord(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    ConcurrentMap<String, Object> resources() {
        return resources;
    }

    /** The serving generation, or {@code null}. */
    ModuleGeneration active() {
        return active.get();
    }

    /** Switches the serving generation; returns the one it replaces. */
    ModuleGeneration swap(ModuleGeneration next) {
        return active.getAndSet(next);
    }

    LifecycleState state() {
        return state;
    }

    /**
     * Moves to {@code target}.
     *
     * @throws IllegalStateException when the transition is not one {@link LifecycleState} allows
     */
    void moveTo(LifecycleState target) {
        if (state != target && !state.canMoveTo(target)) {
            throw new IllegalStateException("Cannot move module " + name + " from " + state + " to " + target);
        }
        state = target;
    }

    String lastError() {
        return lastError;
    }

    void lastError(String error) {
        this.lastError = error;
    }

    /** The spec of the serving version, or of the last one tried when none serves. */
    ModuleSpec spec() {
        return spec;
    }

    void spec(ModuleSpec value) {
        this.spec = value;
    }

    /** The jar the module was deployed from (in the watched folder, usually). */
    Path source() {
        return source;
    }

    void source(Path value) {
        this.source = value;
    }

    Path previousCopy() {
        return previousCopy;
    }

    String previousVersion() {
        return previousVersion;
    }

    void previous(Path copy, String version) {
        this.previousCopy = copy;
        this.previousVersion = version;
    }

    /** Marks {@code @Startup} as run; returns whether it had not run yet. */
    boolean claimStartup() {
        if (startupDone) {
            return false;
        }
        startupDone = true;
        return true;
    }

    /** After {@code @Shutdown} ran while the module stays known (it waits for a provider): it enters anew later. */
    void forgetStartup() {
        startupDone = false;
    }

    boolean waiting() {
        return waiting;
    }

    void waiting(boolean value) {
        this.waiting = value;
    }

    boolean startupDone() {
        return startupDone;
    }

    long reloads() {
        return reloads.get();
    }

    void countReload() {
        reloads.incrementAndGet();
    }

    void record(HistoryEntry entry) {
        synchronized (history) {
            if (history.size() == HISTORY_LIMIT) {
                history.removeFirst();
            }
            history.addLast(entry);
        }
    }

    List<HistoryEntry> history() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }
}
