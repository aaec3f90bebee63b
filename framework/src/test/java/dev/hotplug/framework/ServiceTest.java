package dev.hotplug.framework;

import dev.hotplug.api.ServiceUnavailableException;
import dev.hotplug.framework.fixture.Counter;
import dev.hotplug.framework.fixture.Journal;
import dev.hotplug.framework.fixture.LoaderProbe;
import dev.hotplug.framework.fixture.Relay;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SPEC "Services": stable proxies that reach the current provider, pass its failures through and pin nothing. */
class ServiceTest {

    @TempDir
    Path dir;

    @BeforeEach
    void clear() {
        Journal.clear();
        LoaderProbe.clear();
    }

    @Test
    void whatTheImplementationThrowsReachesTheCallerUnchanged() {
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(TestModules.write(TestModules.module("relay", "1.0.0", "com.acme.relay.RelayModule", RELAY),
                    "relay-1.0.0.jar", "relay|" + RELAY, dir.resolve("in")));
            Relay relay = hotplug.service(Relay.class);

            IOException checked = assertThrows(IOException.class, () -> relay.call("io"));
            assertEquals(IOException.class, checked.getClass());
            assertEquals("io failure in relay", checked.getMessage());
            assertEquals("com.acme.relay.RelayModule", checked.getStackTrace()[0].getClassName(),
                    "the module's own exception, not a wrapper made by the proxy");

            IllegalStateException unchecked = assertThrows(IllegalStateException.class, () -> relay.call("state"));
            assertEquals("state failure in relay", unchecked.getMessage());
            assertEquals("com.acme.relay.RelayModule", unchecked.getStackTrace()[0].getClassName());
            assertEquals(null, unchecked.getCause());
        }
    }

    @Test
    void aCallWithoutProviderWaitsItsLimitThenNamesServiceAndModule() {
        try (Hotplug hotplug = TestModules.hotplug(dir).serviceWait(Duration.ofMillis(300)).build()) {
            hotplug.start();
            hotplug.deploy(TestModules.counter("1.0.0").writeTo(dir.resolve("in")));
            Counter counter = hotplug.service(Counter.class);
            counter.increment();
            hotplug.undeploy("counter");

            long started = System.nanoTime();
            ServiceUnavailableException e = assertThrows(ServiceUnavailableException.class, counter::increment);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            assertTrue(millis >= 250 && millis < 5_000, "waited about the 300 ms limit: " + millis + " ms");
            assertEquals(Counter.class.getName(), e.service());
            assertEquals("counter", e.module());
            IsolationInFrameworkTest.assertOneLine(e.getMessage(), Counter.class.getName(), "counter", "300 ms");
        }
    }

    @Test
    void aCallWaitingForItsProviderGoesOnWhenItArrives() throws Exception {
        try (Hotplug hotplug = TestModules.hotplug(dir).serviceWait(Duration.ofSeconds(20)).build()) {
            hotplug.start();
            Counter counter = hotplug.service(Counter.class);
            AtomicReference<Thread> caller = new AtomicReference<>();
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
                caller.set(Thread.currentThread());
                return counter.version();
            });
            Await.until("the call to wait for a provider", () -> caller.get() != null
                    && caller.get().getState() == Thread.State.TIMED_WAITING);
            assertFalse(answer.isDone());

            hotplug.deploy(TestModules.counter("1.0.0").writeTo(dir.resolve("in")));

            assertEquals("1.0.0", answer.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aConsumersProxyDoesNotKeepAReleasedProviderAlive() throws IOException {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(TestModules.counter("1.0.0").writeTo(in));
            hotplug.deploy(TestModules.write(TestModules.module("reader", "1.0.0", "com.acme.reader.ReaderModule", READER),
                    "reader-1.0.0.jar", "reader|" + READER, in));
            Relay reader = hotplug.service(Relay.class);
            assertEquals("1.0.0 1", reader.call(""));
            long readerGeneration = hotplug.module("reader").orElseThrow().generation();

            hotplug.deploy(TestModules.counter("2.0.0").writeTo(in));

            assertEquals("2.0.0 2", reader.call(""), "the consumer's proxy reaches the new provider");
            assertEquals(readerGeneration, hotplug.module("reader").orElseThrow().generation(),
                    "a consumer of a host-shared interface is not reloaded");
            Await.collected("counter 1.0.0", LoaderProbe.loaders("counter 1.0.0"));
            Await.noLeaks(hotplug);
        }
    }

    private static final String RELAY = """
            package com.acme.relay;

            import dev.hotplug.api.*;
            import dev.hotplug.framework.fixture.Relay;
            import java.io.IOException;

            @HotplugModule
            public class RelayModule implements Relay {
                @Load
                void load(ModuleContext context) {
                    context.register(Relay.class, this);
                }

                public String call(String argument) throws IOException {
                    if (argument.equals("io")) {
                        throw new IOException("io failure in relay");
                    }
                    if (argument.equals("state")) {
                        throw new IllegalStateException("state failure in relay");
                    }
                    return "relay " + argument;
                }
            }
            """;

    private static final String READER = """
            package com.acme.reader;

            import dev.hotplug.api.*;
            import dev.hotplug.framework.fixture.Counter;
            import dev.hotplug.framework.fixture.Relay;

            @HotplugModule
            public class ReaderModule implements Relay {
                private Counter counter;

                @Load
                void load(ModuleContext context) {
                    counter = context.service(Counter.class);
                    context.register(Relay.class, this);
                }

                public String call(String argument) {
                    return counter.version() + " " + counter.increment();
                }
            }
            """;
}
