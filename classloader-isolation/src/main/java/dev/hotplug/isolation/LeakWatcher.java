package dev.hotplug.isolation;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches released module generations until their classloaders are collected. A generation still reachable
 * after a bounded number of GC rounds, or one whose code a live thread still runs, is reported as a
 * {@link Leak}. Thread-safe; {@link #check(int)} blocks for the GC rounds it asks for.
 */
public final class LeakWatcher {

    /**
     * A released generation that did not go away.
     *
     * @param module the module name
     * @param version the generation's module version
     * @param generation the generation number
     * @param releasedAt when the generation was released
     * @param reason why it counts as leaked, one line
     */
    public record Leak(String module, String version, long generation, Instant releasedAt, String reason) {
    }

    private static final long GC_WAIT_MILLIS = 50;

    private final ReferenceQueue<ClassLoader> queue = new ReferenceQueue<>();
    private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
    private final Clock clock;
    /** What to run once a watched loader is collected, by loader name. */
    private final Map<String, Runnable> onCollected = new ConcurrentHashMap<>();

    /** A watcher on the system clock. */
    public LeakWatcher() {
        this(Clock.systemUTC());
    }

    /** A watcher on {@code clock}, for tests. */
    public LeakWatcher(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Starts watching a released generation's loader; {@code whenCollected} (may be {@code null}) runs on the
     * thread that notices the loader is gone, for example to delete the generation's files.
     */
    public void watch(ModuleClassLoader loader, Runnable whenCollected) {
        Watched entry = new Watched(loader, queue, clock.instant());
        watched.add(entry);
        if (whenCollected != null) {
            onCollected.put(entry.loaderName, whenCollected);
        }
    }

    /** Number of released generations whose loader has not been seen collected yet. */
    public int pending() {
        drainCollected();
        return watched.size();
    }

    /**
     * Reports released generations still alive. Runs up to {@code gcRounds} rounds of {@code System.gc()} with a short
     * wait while any watched loader is still reachable, then reports every one still reachable, plus every one a
     * live thread still runs code of or holds as its context classloader. Blocks for up to about
     * {@code gcRounds × 50 ms}.
     */
    public List<Leak> check(int gcRounds) {
        drainCollected();
        for (int round = 0; round < gcRounds && !watched.isEmpty(); round++) {
            System.gc();
            try {
                Reference<? extends ClassLoader> ref = queue.remove(GC_WAIT_MILLIS);
                if (ref != null) {
                    forget(ref);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            drainCollected();
        }
        List<Leak> leaks = new ArrayList<>();
        Map<Thread, StackTraceElement[]> stacks = watched.isEmpty() ? Map.of() : Thread.getAllStackTraces();
        for (Watched entry : watched) {
            String reason = threadHolding(entry, stacks);
            if (reason == null) {
                reason = "classloader still reachable after " + gcRounds + " GC rounds";
            }
            leaks.add(new Leak(entry.module, entry.version, entry.generation, entry.releasedAt, reason));
        }
        leaks.sort((a, b) -> a.module().equals(b.module())
                ? Long.compare(a.generation(), b.generation()) : a.module().compareTo(b.module()));
        return leaks;
    }

    private static String threadHolding(Watched entry, Map<Thread, StackTraceElement[]> stacks) {
        ClassLoader loader = entry.get();
        for (Map.Entry<Thread, StackTraceElement[]> thread : stacks.entrySet()) {
            if (loader != null && thread.getKey().getContextClassLoader() == loader) {
                return "thread '" + thread.getKey().getName() + "' holds it as context classloader";
            }
            for (StackTraceElement frame : thread.getValue()) {
                if (entry.loaderName.equals(frame.getClassLoaderName())) {
                    return "thread '" + thread.getKey().getName() + "' still runs its code (" + frame + ")";
                }
            }
        }
        return null;
    }

    /** Forgets every loader the GC has cleared and runs their collection callbacks. */
    public void drainCollected() {
        for (Reference<? extends ClassLoader> ref; (ref = queue.poll()) != null; ) {
            forget(ref);
        }
    }

    private void forget(Reference<? extends ClassLoader> ref) {
        if (ref instanceof Watched entry && watched.remove(entry)) {
            Runnable callback = onCollected.remove(entry.loaderName);
            if (callback != null) {
                callback.run();
            }
        }
    }

    private static final class Watched extends WeakReference<ClassLoader> {
        final String module;
        final String version;
        final long generation;
        final String loaderName;
        final Instant releasedAt;

        Watched(ModuleClassLoader loader, ReferenceQueue<ClassLoader> queue, Instant releasedAt) {
            super(loader, queue);
            this.module = loader.moduleName();
            this.version = loader.version();
            this.generation = loader.generation();
            this.loaderName = loader.getName();
            this.releasedAt = releasedAt;
        }
    }
}
