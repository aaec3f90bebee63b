package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Journal;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModuleMXBeanTest {

    @TempDir
    Path dir;

    @BeforeEach
    void clear() {
        Journal.clear();
    }

    /** Waits for the event thread to register or unregister the bean. */
    private static void awaitRegistered(MBeanServer server, ObjectName name, boolean registered) {
        Await.until(name + (registered ? " registered" : " unregistered"), () -> server.isRegistered(name) == registered);
    }

    @Test
    void beanShowsTheModuleAndReloadsIt() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("dev.hotplug:type=Module,name=counter");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(TestModules.counter("1.0.0").writeTo(dir.resolve("staging")));
            awaitRegistered(server, name, true);
            assertEquals("ACTIVE", server.getAttribute(name, "Status"));
            assertEquals("1.0.0", server.getAttribute(name, "Version"));
            assertEquals(1L, server.getAttribute(name, "Generation"));
            assertEquals(0L, server.getAttribute(name, "Reloads"));
            assertNull(server.getAttribute(name, "LastError"));

            Object outcome = server.invoke(name, "reload", new Object[0], new String[0]);
            assertEquals("SWAPPED", outcome);
            assertEquals(2L, server.getAttribute(name, "Generation"));
            assertTrue(Journal.lines().contains("load 1.0.0 RELOAD 0 #2"), Journal.lines().toString());

            hotplug.undeploy("counter");
            assertFalse(server.isRegistered(name));
            hotplug.deploy(TestModules.counter("1.0.0").writeTo(dir.resolve("staging")));
            awaitRegistered(server, name, true);
        }
        assertFalse(server.isRegistered(name), "closing the framework unregisters its beans");
    }
}
