package dev.hotplug.framework;

import dev.hotplug.api.ModuleException;
import dev.hotplug.api.ServiceUnavailableException;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Services published by module generations, and the stable proxies consumers hold. A proxy reaches the current
 * provider generation through its {@link Slot}; during a reload it waits at the provider's {@link ModuleGate}.
 * Slots hold a provider only while its generation is registered, so no released generation stays reachable.
 * Thread-safe.
 */
final class ServiceRegistry {

    /** One provider registration: the implementation and the gate of the module that provides it. */
    record Registration(Object implementation, String module, long generation, ModuleGate gate) {
    }

    /** The current provider of one service interface, by name. */
    static final class Slot {
        final String typeName;
        volatile Registration current;
        /** The module that provided it last, for messages after it left. */
        volatile String lastModule;

        Slot(String typeName) {
            this.typeName = typeName;
        }
    }

    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
    private final long waitNanos;

    ServiceRegistry(long waitMillis) {
        this.waitNanos = TimeUnit.MILLISECONDS.toNanos(waitMillis);
    }

    /**
     * Publishes {@code implementation} for {@code type} on behalf of a generation.
     *
     * @throws ModuleException when {@code type} is no interface, the implementation does not implement it, or
     *                         another module provides it
     */
    <T> void register(String module, long generation, ModuleGate gate, Class<T> type, T implementation) {
        if (!type.isInterface()) {
            throw new ModuleException(module, "Cannot register service " + type.getName() + " of module " + module
                    + ": it is not an interface", null);
        }
        if (!type.isInstance(implementation)) {
            throw new ModuleException(module, "Cannot register service " + type.getName() + " of module " + module
                    + ": " + (implementation == null ? "null" : implementation.getClass().getName())
                    + " does not implement it", null);
        }
        Slot slot = slots.computeIfAbsent(type.getName(), Slot::new);
        synchronized (slot) {
            Registration existing = slot.current;
            if (existing != null && !existing.module().equals(module)) {
                throw new ModuleException(module, "Cannot register service " + type.getName() + " of module " + module
                        + ": module " + existing.module() + " provides it already", null);
            }
            slot.current = new Registration(implementation, module, generation, gate);
            slot.lastModule = module;
            slot.notifyAll();
        }
    }

    /** Withdraws every service of one generation; returns the names withdrawn. */
    List<String> unregister(String module, long generation) {
        List<String> names = new ArrayList<>();
        for (Slot slot : slots.values()) {
            synchronized (slot) {
                Registration current = slot.current;
                if (current != null && current.module().equals(module) && current.generation() == generation) {
                    slot.current = null;
                    names.add(slot.typeName);
                }
            }
        }
        return names;
    }

    /** Service interfaces a module provides now. */
    List<String> servicesOf(String module) {
        List<String> names = new ArrayList<>();
        for (Slot slot : slots.values()) {
            Registration current = slot.current;
            if (current != null && current.module().equals(module)) {
                names.add(slot.typeName);
            }
        }
        names.sort(null);
        return names;
    }

    /** A stable proxy for {@code type}, implemented in {@code type}'s own classloader. */
    <T> T proxy(Class<T> type) {
        if (!type.isInterface()) {
            throw new ModuleException(null, "Cannot look up service " + type.getName() + ": it is not an interface", null);
        }
        Slot slot = slots.computeIfAbsent(type.getName(), Slot::new);
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, new Dispatcher(slot, waitNanos)));
    }

    /** Routes each call to the slot's current provider, waiting at its gate during a reload. */
    private static final class Dispatcher implements InvocationHandler {
        private final Slot slot;
        private final long waitNanos;

        Dispatcher(Slot slot, long waitNanos) {
            this.slot = slot;
            this.waitNanos = waitNanos;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                return objectMethod(proxy, method, args);
            }
            long deadline = System.nanoTime() + waitNanos;
            for (;;) {
                Registration registration = awaitProvider(deadline);
                ModuleGate gate = registration.gate();
                if (!gate.enter(Math.max(0, deadline - System.nanoTime()))) {
                    throw unavailable("its provider did not come back from a reload in time");
                }
                try {
                    // Re-read: the provider may have been swapped while this call waited at the gate.
                    Registration now = slot.current;
                    if (now != null && now.gate() == gate) {
                        return call(method, now.implementation(), args);
                    }
                } finally {
                    gate.exit();
                }
            }
        }

        private Registration awaitProvider(long deadline) throws InterruptedException {
            Registration registration = slot.current;
            if (registration != null) {
                return registration;
            }
            synchronized (slot) {
                while ((registration = slot.current) == null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw unavailable("no module provides it");
                    }
                    TimeUnit.NANOSECONDS.timedWait(slot, left);
                }
                return registration;
            }
        }

        private ServiceUnavailableException unavailable(String cause) {
            String module = slot.lastModule;
            return new ServiceUnavailableException(slot.typeName, module, "Cannot call service " + slot.typeName
                    + (module == null ? "" : " of module " + module) + ": " + cause + " within "
                    + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms");
        }

        private static Object call(Method method, Object target, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        private Object objectMethod(Object proxy, Method method, Object[] args) throws Throwable {
            Registration current = slot.current;
            return switch (method.getName()) {
                case "equals" -> proxy == args[0] || (current != null && current.implementation().equals(args[0]));
                case "hashCode" -> current == null ? System.identityHashCode(proxy) : current.implementation().hashCode();
                case "toString" -> current == null ? "service " + slot.typeName + " (no provider)"
                        : String.valueOf(current.implementation());
                default -> call(method, current == null ? this : current.implementation(), args);
            };
        }
    }
}
