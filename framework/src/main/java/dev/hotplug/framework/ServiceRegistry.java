package dev.hotplug.framework;

import dev.hotplug.api.ModuleException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Services published by module generations, the stable proxies consumers hold, and quiescence. Calls cost one
 * volatile and one plain read on the way in, and write only their slot's caller mark, once per thread and reload; a
 * reload pays instead: {@link #quiesce} closes the module's slots (new calls wait) and then, unless no other thread
 * called them since the last reload, waits in the {@link CallDrain} until no thread is inside a proxy of those slots
 * on its way to the old implementation. Slots hold a provider only while its generation is registered, so no
 * released generation stays reachable through them. Thread-safe.
 */
final class ServiceRegistry {

    private final ConcurrentHashMap<String, ServiceSlot> slots = new ConcurrentHashMap<>();
    private final Set<String> quiesced = ConcurrentHashMap.newKeySet();
    private final long waitNanos;
    private final CallDrain drain;

    ServiceRegistry(long waitMillis, CallDrain drain) {
        this.waitNanos = TimeUnit.MILLISECONDS.toNanos(waitMillis);
        this.drain = drain;
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
        return slots.computeIfAbsent(typeName, name -> new ServiceSlot(name, waitNanos, drain));
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
        if (!drain.drain(closedSlots, closed, deadlineNanos)) {
            return false;
        }
        for (ServiceSlot slot : closedSlots) {
            slot.forgetCallers();
        }
        return true;
    }

    /**
     * Opens the services of {@code modules} again, on whatever generation registered them last. Returns the
     * {@link System#nanoTime()} at which the last of them opened (with none, when it began): when no caller waits any
     * longer, whenever this thread gets its CPU back.
     */
    long resume(Set<String> modules) {
        quiesced.removeAll(modules);
        long opened = System.nanoTime();
        for (ServiceSlot slot : slots.values()) {
            ServiceSlot.Registration current = slot.current();
            String owner = current != null ? current.module() : slot.lastModule();
            if (owner != null && modules.contains(owner)) {
                opened = slot.open();
            }
        }
        return opened;
    }
}
