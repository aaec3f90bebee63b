package dev.hotplug.framework;

import dev.hotplug.api.ServiceUnavailableException;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The current provider of one service interface, by name, as generated proxies reach it. The fast path is one volatile
 * read of {@link #target} and one plain read of {@link #caller}: a {@code null} target means closed for a reload or no
 * provider, and the caller waits in {@link #get()} up to the wait limit, entered in the {@link CallDrain} so a reload
 * knows it holds no implementation. Proxies hold the slot as a {@link Supplier} so their classes reference JDK types
 * only. Thread-safe.
 */
final class ServiceSlot implements Supplier<Object> {

    /** One provider registration. */
    record Registration(Object implementation, String module, long generation) {
    }

    /**
     * Set on framework threads while they run lifecycle code. A reload keeps its modules' slots closed until the swap,
     * yet a new generation's {@code @Load} may call its own services or its provider's (loaded just before it in the
     * same transaction): such a call goes straight to the registration of the moment instead of waiting for the swap
     * it is part of.
     */
    static final ThreadLocal<Boolean> LIFECYCLE_CALL = new ThreadLocal<>();

    final String typeName;
    private final long waitNanos;
    private final CallDrain drain;
    /** The implementation callers reach now; {@code null} while closed or unprovided. */
    private volatile Object target;
    private volatile Registration current;
    private volatile String lastModule;
    private boolean closed;
    /** Set once a proxy of this slot was handed out: some consumer may hold it from then on. */
    private volatile boolean held;
    /**
     * Which platform threads called since the last {@link #forgetCallers()}: {@link #NOBODY}; one thread's id
     * (positive); or, once two did, a set of id residues: the sign bit plus bit {@code id & 63} of each, so a thread
     * whose residue is in the set may call without marking, and the set names every live thread that may have
     * called, with some that did not. A reload whose slots only its own thread called needs to wait for nobody. Each
     * platform thread writes it once per reload, so the fast path reads a line that stays shared; ids, not threads,
     * so no context loader is pinned.
     */
    private long caller;
    /**
     * Virtual threads that called since the last {@link #forgetCallers()}, held weakly. They never take the fast
     * path and enter here on every call: no enumeration or all-thread scan shows them, so a residue in the platform
     * set cannot stand for one.
     */
    private final Set<Thread> virtualCallers =
            Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private static final long NOBODY = 0;
    private static final VarHandle CALLER;
    /** {@code Thread.isVirtual()} on JDK 21 and later; {@code null} before, where every thread is a platform one. */
    private static final MethodHandle IS_VIRTUAL;

    static {
        try {
            CALLER = MethodHandles.lookup().findVarHandle(ServiceSlot.class, "caller", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        MethodHandle isVirtual;
        try {
            isVirtual = MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                    MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            isVirtual = null;
        }
        IS_VIRTUAL = isVirtual;
    }

    ServiceSlot(String typeName, long waitNanos, CallDrain drain) {
        this.typeName = typeName;
        this.waitNanos = waitNanos;
        this.drain = drain;
    }

    /** The implementation to call; waits while the slot is closed or unprovided. */
    @Override
    public Object get() {
        Object implementation = target;
        if (implementation != null) {
            // A plain read is enough: the forget before the open that published this target happens-before it, so a
            // mark seen here was written since; and a reload reads the mark (volatile) only after closing the slot.
            long seen = caller;
            Thread current = Thread.currentThread();
            long me = current.getId();
            // A virtual thread's id is never the mark, but its residue may be in the set.
            if (marked(seen, me) && (seen == me || !isVirtual(current))) {
                return implementation;
            }
        }
        return enter();
    }

    /**
     * The first call of a platform thread since the callers were forgotten, or any call of a virtual thread: mark,
     * then read the target again. Against a reload's close-then-read of the mark (both volatile, or the set's lock)
     * either the reload sees the mark or this thread sees the slot closed. The mark is checked once more after the
     * read, since a reload may have forgotten it in between.
     */
    private Object enter() {
        Thread current = Thread.currentThread();
        long me = current.getId();
        boolean virtual = isVirtual(current);
        while (true) {
            mark(current, me, virtual);
            Object implementation = target;
            if (implementation == null) {
                return await();
            }
            if (virtual ? virtualCallers.contains(current) : marked((long) CALLER.getVolatile(this), me)) {
                return implementation;
            }
        }
    }

    private static boolean marked(long seen, long id) {
        return seen == id || seen < 0 && (seen & 1L << id) != 0;
    }

    private void mark(Thread current, long me, boolean virtual) {
        if (virtual) {
            virtualCallers.add(current);
            return;
        }
        while (true) {
            long seen = (long) CALLER.getVolatile(this);
            long next = seen == NOBODY ? me : (seen < 0 ? seen : Long.MIN_VALUE | 1L << seen) | 1L << me;
            if (seen == me || seen == next || CALLER.compareAndSet(this, seen, next)) {
                return;
            }
        }
    }

    private void markCurrent() {
        Thread current = Thread.currentThread();
        mark(current, current.getId(), isVirtual(current));
    }

    /** Whether {@code thread} is a virtual thread (JDK 21 and later). */
    static boolean isVirtual(Thread thread) {
        try {
            return IS_VIRTUAL != null && (boolean) IS_VIRTUAL.invokeExact(thread);
        } catch (Throwable e) {
            throw new IllegalStateException("Cannot tell whether " + thread + " is virtual: " + e, e);
        }
    }

    /**
     * Whether a thread other than {@code self} may have called since {@link #forgetCallers()}; valid once the slot is
     * closed, since a thread marks itself before it reads an open target.
     */
    boolean calledByOthers(Thread self) {
        long seen = (long) CALLER.getVolatile(this);
        return seen != NOBODY && seen != self.getId() || !virtualCallers.isEmpty();
    }

    /**
     * Whether the platform thread with {@code id} may have called since {@link #forgetCallers()}: true for every one
     * that did, and for some that did not. Valid once the slot is closed.
     */
    boolean mayHaveCalled(long id) {
        return marked((long) CALLER.getVolatile(this), id);
    }

    /** The virtual threads that called since {@link #forgetCallers()}; read once the slot is closed. */
    List<Thread> virtualCallers() {
        synchronized (virtualCallers) {
            return List.copyOf(virtualCallers);
        }
    }

    /** Starts a new count of callers; only while closed and drained, so no thread is on its way in. */
    void forgetCallers() {
        virtualCallers.clear();
        CALLER.setVolatile(this, NOBODY);
    }

    /**
     * Waits for the slot to open. While it waits the thread is entered in the drain, and it leaves under the slot's
     * lock after it read an implementation, so a reload that closed the slot (which takes the lock) finds it gone
     * once it may hold one.
     */
    private Object await() {
        long deadline = System.nanoTime() + waitNanos;
        Thread thread = Thread.currentThread();
        boolean lifecycle = Boolean.TRUE.equals(LIFECYCLE_CALL.get());
        // Entered before the lock, which the callers of a slot that just closed all contend for.
        boolean entered = !lifecycle && target == null && drain.arrive(thread);
        synchronized (this) {
            Registration now = current;
            if (closed && now != null && lifecycle) {
                markCurrent();
                return now.implementation();
            }
            return awaitOpen(thread, deadline, entered);
        }
    }

    /**
     * The wait of {@link #await()}, under the slot's lock. A thread not {@code entered} yet enters once it finds the
     * slot closed: it may have been open when the thread looked before the lock, and closed again since.
     */
    private Object awaitOpen(Thread thread, long deadline, boolean entered) {
        boolean tried = entered;
        try {
            Object implementation;
            while ((implementation = target) == null) {
                if (!tried) {
                    tried = true;
                    entered = drain.arrive(thread);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    String module = lastModule;
                    throw new ServiceUnavailableException(typeName, module, "Cannot call service " + typeName
                            + (module == null ? "" : " of module " + module) + ": "
                            + (closed ? "its provider did not come back from a reload" : "no module provides it")
                            + " within " + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ServiceUnavailableException(typeName, lastModule, "Cannot call service " + typeName
                            + ": interrupted while waiting for its provider");
                }
            }
            // Under the lock every close comes after this mark, so the next reload sees it.
            markCurrent();
            return implementation;
        } finally {
            if (entered) {
                drain.leave(thread);
            }
        }
    }

    /** The registration now, or {@code null}. */
    Registration current() {
        return current;
    }

    String lastModule() {
        return lastModule;
    }

    /** Whether a proxy of this slot was ever handed out, so a consumer may hold one. */
    boolean held() {
        return held;
    }

    void markHeld() {
        held = true;
    }

    /** Installs a provider; callers reach it at once unless the slot is closed. */
    synchronized void register(Registration registration, boolean closeNow) {
        current = registration;
        lastModule = registration.module();
        closed |= closeNow;
        target = closed ? null : registration.implementation();
        notifyAll();
    }

    /** Removes the provider when it is {@code module}'s generation {@code generation}; returns whether it was. */
    synchronized boolean unregister(String module, long generation) {
        Registration now = current;
        if (now == null || !now.module().equals(module) || now.generation() != generation) {
            return false;
        }
        current = null;
        target = null;
        return true;
    }

    /** New calls wait from now on. */
    synchronized void close() {
        closed = true;
        target = null;
    }

    /**
     * Calls go to the current provider again (waiting ones included). Returns {@link System#nanoTime()} read once the
     * target is published and before any waiter wakes: a woken caller may take this thread's CPU at the lock's exit.
     */
    synchronized long open() {
        closed = false;
        Registration now = current;
        target = now == null ? null : now.implementation();
        long opened = System.nanoTime();
        notifyAll();
        return opened;
    }

    /** What {@code toString} of a proxy says while no provider serves. */
    @Override
    public String toString() {
        Registration now = current;
        return "service " + typeName + (now == null ? " (no provider)" : " of module " + now.module());
    }
}
