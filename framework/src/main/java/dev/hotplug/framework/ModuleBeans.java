package dev.hotplug.framework;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Keeps one {@link ModuleMXBean} per module registered in the platform MBean server: registered when an event shows a
 * module, unregistered when it leaves or the framework closes. A name another framework in this JVM registered first is
 * left to it. Thread-safe (one lock around the registry's view).
 */
final class ModuleBeans implements HotplugListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModuleBeans.class);

    private final Hotplug hotplug;
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final Set<String> registered = new HashSet<>();
    private boolean closed;

    ModuleBeans(Hotplug hotplug) {
        this.hotplug = hotplug;
    }

    /** {@code dev.hotplug:type=Module,name=NAME}; module names ({@code [a-z0-9][a-z0-9._-]*}) need no quoting. */
    static ObjectName name(String module) {
        try {
            return new ObjectName("dev.hotplug:type=Module,name=" + module);
        } catch (JMException e) {
            throw new HotplugException("Cannot name the MBean of module " + module + ": " + e, module, null, null, e);
        }
    }

    @Override
    public synchronized void onEvent(HotplugEvent event) {
        if (closed) {
            return;
        }
        if (event.phase() == Phase.SHUTDOWN || hotplug.module(event.module()).isEmpty()) {
            removed(event.module());
            return;
        }
        if (registered.contains(event.module())) {
            return;
        }
        try {
            server.registerMBean(new Bean(hotplug, event.module()), name(event.module()));
            registered.add(event.module());
        } catch (InstanceAlreadyExistsException e) {
            LOG.debug("MBean of module {} belongs to another framework in this JVM", event.module());
        } catch (JMException e) {
            LOG.warn("Cannot register the MBean of module {}: {}", event.module(), e.toString());
        }
    }

    /** Unregisters {@code module}'s bean, when this framework registered it. */
    synchronized void removed(String module) {
        if (!registered.remove(module)) {
            return;
        }
        try {
            server.unregisterMBean(name(module));
        } catch (InstanceNotFoundException e) {
            LOG.debug("MBean of module {} was already unregistered", module);
        } catch (JMException e) {
            LOG.warn("Cannot unregister the MBean of module {}: {}", module, e.toString());
        }
    }

    @Override
    public synchronized void close() {
        List.copyOf(registered).forEach(this::removed);
        closed = true;
    }

    /** Reads the framework by module name on every call, so it never pins a generation. */
    private static final class Bean implements ModuleMXBean {
        private final Hotplug hotplug;
        private final String module;

        Bean(Hotplug hotplug, String module) {
            this.hotplug = hotplug;
            this.module = module;
        }

        private <T> T read(Function<ModuleInfo, T> field, T absent) {
            Optional<ModuleInfo> info = hotplug.module(module);
            return info.isPresent() ? field.apply(info.get()) : absent;
        }

        @Override
        public String getStatus() {
            return read(m -> m.status().name(), "REMOVED");
        }

        @Override
        public String getVersion() {
            return read(ModuleInfo::version, null);
        }

        @Override
        public long getGeneration() {
            return read(ModuleInfo::generation, 0L);
        }

        @Override
        public long getReloads() {
            return read(ModuleInfo::reloads, 0L);
        }

        @Override
        public String getLastError() {
            return read(ModuleInfo::lastError, null);
        }

        @Override
        public String reload() {
            try {
                return describe(hotplug.reload(module));
            } catch (HotplugException e) {
                // JMX clients lack the framework's classes: pass the message, not the exception.
                throw new IllegalStateException(e.getMessage());
            }
        }

        @Override
        public String rollback() {
            try {
                return describe(hotplug.rollback(module));
            } catch (HotplugException e) {
                throw new IllegalStateException(e.getMessage());
            }
        }

        private static String describe(HistoryEntry entry) {
            return entry.cause() == null ? entry.outcome().name() : entry.outcome() + ": " + entry.cause();
        }
    }
}
