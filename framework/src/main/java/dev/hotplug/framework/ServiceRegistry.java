package dev.hotplug.framework;

import dev.hotplug.api.ModuleException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Services published by module generations, the stable proxies consumers hold, and quiescence. Calls cost one
 * volatile and one plain read on the way in, and write only their slot's caller mark, once per thread and reload; a
 * reload pays instead: {@link #quiesce} closes the module's slots (new calls wait) and then, unless no other thread
 * called them since the last reload, looks at every thread's stack, at a safepoint, until no thread is inside a proxy
 * of those slots on its way to the old implementation. Slots hold a provider only while its generation is registered,
 * so no released generation stays reachable through them. Thread-safe.
 */
final class ServiceRegistry {

    private final ConcurrentHashMap<String, ServiceSlot> slots = new ConcurrentHashMap<>();
    private final Set<String> quiesced = ConcurrentHashMap.newKeySet();
    private final long waitNanos;

    ServiceRegistry(long waitMillis) {
        this.waitNanos = TimeUnit.MILLISECONDS.toNanos(waitMillis);
    }

    /**
     * Publishes {@code implementation} for {@code type} on behalf of a generation; while the module is quiesced its
     * callers keep waiting until {@link #resume}.
     *
     * @throws ModuleException when {@code type} is no interface, the implementation does not implement it, or another
     *                         module provides it
     */
    <T> void register(String module, long generation, Class<T> type, T implementation) {
        if (!type.isInterface()) {
            throw new ModuleException(module, "Cannot register service " + type.getName() + " of module " + module
                    + ": it is not an interface", null);
        }
        if (!type.isInstance(implementation)) {
            throw new ModuleException(module, "Cannot register service " + type.getName() + " of module " + module
                    + ": " + (implementation == null ? "null" : implementation.getClass().getName())
                    + " does not implement it", null);
        }
        ServiceSlot slot = slot(type.getName());
        synchronized (slot) {
            ServiceSlot.Registration existing = slot.current();
            if (existing != null && !existing.module().equals(module)) {
                throw new ModuleException(module, "Cannot register service " + type.getName() + " of module " + module
                        + ": module " + existing.module() + " provides it already", null);
            }
            slot.register(new ServiceSlot.Registration(implementation, module, generation), quiesced.contains(module));
        }
    }

    /** Withdraws every service of one generation; returns the names withdrawn. */
    List<String> unregister(String module, long generation) {
        List<String> names = new ArrayList<>();
        for (ServiceSlot slot : slots.values()) {
            if (slot.unregister(module, generation)) {
                names.add(slot.typeName);
            }
        }
        return names;
    }

    /** Service interfaces a module provides now, sorted. */
    List<String> servicesOf(String module) {
        List<String> names = new ArrayList<>();
        for (ServiceSlot slot : slots.values()) {
            ServiceSlot.Registration current = slot.current();
            if (current != null && current.module().equals(module)) {
                names.add(slot.typeName);
            }
        }
        names.sort(null);
        return names;
    }

    /**
     * Service interfaces {@code module} provides now and of which a proxy was handed out, sorted: those a new version
     * must keep implementing.
     */
    List<String> heldServicesOf(String module) {
        List<String> names = new ArrayList<>();
        for (ServiceSlot slot : slots.values()) {
            ServiceSlot.Registration current = slot.current();
            if (slot.held() && current != null && current.module().equals(module)) {
                names.add(slot.typeName);
            }
        }
        names.sort(null);
        return names;
    }

    /** A stable proxy for {@code type}; {@code type} must be a public interface. */
    <T> T proxy(Class<T> type) {
        ServiceSlot slot = slot(type.getName());
        T proxy = ServiceProxies.create(type, slot);
        slot.markHeld();
        return proxy;
    }

    private ServiceSlot slot(String typeName) {
        return slots.computeIfAbsent(typeName, name -> new ServiceSlot(name, waitNanos));
    }

    /**
     * Closes every service of {@code modules} and blocks until no call is on its way into them, up to
     * {@code deadlineNanos} (a {@link System#nanoTime()} value). Returns whether they drained; either way the caller
     * must {@link #resume} them.
     */
    boolean quiesce(Set<String> modules, long deadlineNanos) {
        quiesced.addAll(modules);
        Set<String> closed = new HashSet<>();
        List<ServiceSlot> closedSlots = new ArrayList<>();
        for (ServiceSlot slot : slots.values()) {
            ServiceSlot.Registration current = slot.current();
            if (current != null && modules.contains(current.module())) {
                slot.close();
                closed.add(slot.typeName);
                closedSlots.add(slot);
            }
        }
        Thread self = Thread.currentThread();
        boolean others = false;
        for (ServiceSlot slot : closedSlots) {
            others |= slot.calledByOthers(self);
        }
        while (others && (inFlight(closed) || virtualInFlight(closedSlots, closed))) {
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
        for (ServiceSlot slot : closedSlots) {
            slot.forgetCallers();
        }
        return true;
    }

    /** Opens the services of {@code modules} again, on whatever generation registered them last. */
    void resume(Set<String> modules) {
        quiesced.removeAll(modules);
        for (ServiceSlot slot : slots.values()) {
            ServiceSlot.Registration current = slot.current();
            String owner = current != null ? current.module() : slot.lastModule();
            if (owner != null && modules.contains(owner)) {
                slot.open();
            }
        }
    }

    /**
     * Whether any other thread is inside a proxy of one of {@code typeNames} past its slot: it read the old
     * implementation and is calling it. A thread whose frame above the proxy is the slot's own is waiting, not in
     * flight. One {@code Thread.getAllStackTraces()} is one safepoint, so the close happened-before what it shows.
     */
    private static boolean inFlight(Set<String> typeNames) {
        if (typeNames.isEmpty()) {
            return false;
        }
        Thread self = Thread.currentThread();
        for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
            if (entry.getKey() != self && inFlight(entry.getValue(), typeNames)) {
                return true;
            }
        }
        return false;
    }

    /**
     * As {@link #inFlight(Set)} for the virtual threads that called {@code slots}: all-thread stack traces leave them
     * out (JDK 21 and later), so each is asked for its own.
     */
    private static boolean virtualInFlight(List<ServiceSlot> slots, Set<String> typeNames) {
        for (ServiceSlot slot : slots) {
            for (Thread caller : slot.virtualCallers()) {
                if (caller != Thread.currentThread() && inFlight(caller.getStackTrace(), typeNames)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean inFlight(StackTraceElement[] frames, Set<String> typeNames) {
        for (int i = 0; i < frames.length; i++) {
            String className = frames[i].getClassName();
            if (!className.endsWith(ServiceProxies.SUFFIX)) {
                continue;
            }
            String typeName = className.substring(0, className.length() - ServiceProxies.SUFFIX.length());
            if (typeNames.contains(typeName) && !waiting(frames, i)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the proxy frame at {@code proxy} is parked inside {@link ServiceSlot}'s timed wait, with only slot frames
     * between: such a thread reads the slot again under its lock once woken, so it cannot reach the old
     * implementation. Anywhere else in the slot it may already hold the old implementation — in
     * {@link ServiceSlot#get()} after its volatile read (the interpreter stops at any bytecode), or returning from the
     * wait after reading it under the lock — so it counts as in flight until it returns or parks again.
     */
    private static boolean waiting(StackTraceElement[] frames, int proxy) {
        String slot = ServiceSlot.class.getName();
        int below = proxy - 1;
        while (below >= 0 && frames[below].getClassName().equals(slot)) {
            below--;
        }
        return below >= 0 && below + 1 < proxy && frames[below + 1].getMethodName().equals("await")
                && frames[below].getClassName().equals(TimeUnit.class.getName())
                && frames[below].getMethodName().equals("timedWait");
    }
}
