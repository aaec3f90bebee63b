package dev.hotplug.framework;

import dev.hotplug.api.ServiceUnavailableException;
import dev.hotplug.framework.fixture.Counter;
import dev.hotplug.framework.fixture.Journal;
import dev.hotplug.testkit.ModuleJarBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.hotplug.framework.IsolationInFrameworkTest.assertOneLine;
import static dev.hotplug.framework.ReloadRollbackTest.last;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * SPEC "Reload: the transaction": modules importing packages from a reloaded module reload with it, providers first,
 * as one transaction — and stop while their provider is away.
 */
class CascadeReloadTest {

    @TempDir
    Path dir;

    private Path modules;
    private Path providerV1;

    @BeforeEach
    void setUp() {
        Journal.clear();
        modules = dir.resolve("modules");
        providerV1 = provider("1.0.0", "").writeTo(modules);
        TestModules.write(TestModules.module("consumer", "1.0.0", "com.acme.consumer.ConsumerModule", CONSUMER)
                .header("Import-Package", "com.acme.api;version=\"[1,2)\"").compileClassPath(providerV1),
                "consumer-1.0.0.jar", "consumer|" + CONSUMER, modules);
    }

    @Test
    void reloadingTheProviderReloadsItsImportersProvidersFirst() {
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            Counter counter = hotplug.service(Counter.class);
            assertEquals("consumer 1.0.0 via provider 1.0.0", counter.version());
            assertEquals(1, counter.increment());
            long consumerGeneration = hotplug.module("consumer").orElseThrow().generation();
            int before = Journal.lines().size();

            hotplug.deploy(provider("2.0.0", "").writeTo(dir.resolve("in")));

            assertEquals(Outcome.SWAPPED, last(hotplug.history("provider")).outcome());
            HistoryEntry consumer = last(hotplug.history("consumer"));
            assertEquals(Outcome.SWAPPED, consumer.outcome());
            assertEquals("1.0.0", consumer.to());
            assertEquals(consumerGeneration + 1, hotplug.module("consumer").orElseThrow().generation(),
                    "the consumer runs in a new generation linked to the new provider");
            assertEquals(List.of(1L, 1L), List.of(hotplug.module("provider").orElseThrow().reloads(),
                    hotplug.module("consumer").orElseThrow().reloads()), "both swapped, so both count a reload");
            assertEquals(List.of("consumer unload", "provider unload 1.0.0", "provider load 2.0.0 RELOAD",
                    "consumer load RELOAD"), Journal.lines().subList(before, Journal.lines().size()),
                    "importers unload first, providers load first");
            assertEquals("consumer 1.0.0 via provider 2.0.0", counter.version());
            assertEquals(2, counter.increment(), "the provider's state came along");
            Await.noLeaks(hotplug);
        }
    }

    @Test
    void aProviderThatFailsRollsItsImportersBackWithIt() {
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            Counter counter = hotplug.service(Counter.class);
            counter.increment();

            hotplug.deploy(provider("2.0.0", "throw new IllegalStateException(\"provider 2 is broken\");")
                    .writeTo(dir.resolve("in")));

            for (String name : List.of("provider", "consumer")) {
                HistoryEntry entry = last(hotplug.history(name));
                assertEquals(Outcome.ROLLED_BACK, entry.outcome(), name);
                assertOneLine(entry.cause(), "provider 2.0.0", "provider 2 is broken");
                assertEquals(ModuleStatus.ACTIVE, hotplug.module(name).orElseThrow().status());
                assertEquals("1.0.0", hotplug.module(name).orElseThrow().version());
            }
            List<String> lines = Journal.lines();
            assertEquals(List.of("provider load 1.0.0 ROLLBACK", "consumer load ROLLBACK"),
                    lines.subList(lines.size() - 2, lines.size()));
            assertEquals("consumer 1.0.0 via provider 1.0.0", counter.version());
            assertEquals(2, counter.increment());
            Await.noLeaks(hotplug);
        }
    }

    @Test
    void undeployingTheProviderStopsItsImportersUntilOneComesBack() {
        try (Hotplug hotplug = TestModules.hotplug(dir).serviceWait(Duration.ofMillis(300)).build()) {
            hotplug.start();
            Counter counter = hotplug.service(Counter.class);
            counter.increment();

            hotplug.undeploy("provider");

            ModuleInfo consumer = hotplug.module("consumer").orElseThrow();
            assertEquals(ModuleStatus.FAILED, consumer.status());
            assertOneLine(consumer.lastError(), "consumer", "provider", "undeployed");
            List<String> lines = Journal.lines();
            assertEquals(List.of("consumer unload", "consumer shutdown", "provider unload 1.0.0"),
                    lines.subList(lines.size() - 3, lines.size()),
                    "the consumer leaves the process: its long-lived resources go with its @Shutdown");
            assertThrows(ServiceUnavailableException.class, counter::version);
            int before = lines.size();

            hotplug.deploy(providerV1);

            consumer = hotplug.module("consumer").orElseThrow();
            assertEquals(ModuleStatus.ACTIVE, consumer.status(), consumer.lastError());
            assertEquals("consumer 1.0.0 via provider 1.0.0", counter.version());
            assertEquals(2, counter.increment(), "the provider restored its state from disk");
            List<String> back = Journal.lines().subList(before, Journal.lines().size());
            assertEquals(List.of("consumer startup", "consumer load START"),
                    back.stream().filter(l -> l.startsWith("consumer")).toList(), "it enters the process again");
            Await.noLeaks(hotplug);
        }
        assertEquals(2, Journal.lines().stream().filter(l -> l.equals("consumer shutdown")).count(),
                "@Shutdown once for each @Startup: when its provider left, and when the framework stopped");
    }

    @Test
    void modulesThatArriveOneByOneAndImportEachOtherAreToldTheyWaitInACycle() {
        try (Hotplug hotplug = TestModules.hotplug(dir.resolve("cycle")).build()) {
            hotplug.start();
            Path in = dir.resolve("in");
            hotplug.deploy(cyclic("a", "b").writeTo(in));
            String alone = hotplug.module("a").orElseThrow().lastError();
            assertFalse(alone.contains("cycle"), "one alone merely waits: " + alone);

            hotplug.deploy(cyclic("b", "a").writeTo(in));

            for (String name : List.of("a", "b")) {
                ModuleInfo info = hotplug.module(name).orElseThrow();
                assertEquals(ModuleStatus.FAILED, info.status());
                assertOneLine(info.lastError(), "Cannot resolve module " + name, "dependency cycle a -> b -> a");
            }
        }
    }

    /** Module {@code name} exporting {@code cyc.NAME.api} and importing {@code cyc.OTHER.api}. */
    private static ModuleJarBuilder cyclic(String name, String other) {
        return ModuleJarBuilder.module(name, "1.0.0")
                .source("cyc." + name + ".api.Api", "package cyc." + name + ".api; public interface Api { }")
                .source("cyc." + name + ".Module", "package cyc." + name + ";\n"
                        + "@dev.hotplug.api.HotplugModule public class Module { }")
                .header("Export-Package", "cyc." + name + ".api;version=\"1.0.0\"")
                .header("Import-Package", "cyc." + other + ".api");
    }

    /** Exports {@code com.acme.api.Source} and provides it; {@code loadBody} ends its {@code @Load}. */
    private static Jar provider(String version, String loadBody) {
        String source = """
                package com.acme.provider;

                import com.acme.api.Source;
                import dev.hotplug.api.*;
                import dev.hotplug.framework.fixture.Journal;

                @HotplugModule
                public class ProviderModule implements Source {
                    public record Saved(long count) { }

                    private long count;
                    private String version;

                    @Load
                    void load(ModuleContext context, Saved saved, LoadReason reason) {
                        version = context.version();
                        count = saved == null ? 0 : saved.count();
                        Journal.log("provider load " + version + " " + reason);
                        context.register(Source.class, this);
                        %s
                    }

                    @Unload
                    Saved unload() {
                        Journal.log("provider unload " + version);
                        return new Saved(count);
                    }

                    public synchronized long next() {
                        return ++count;
                    }

                    public String tag() {
                        return "provider " + version;
                    }
                }
                """.formatted(loadBody);
        return new Jar(TestModules.module("provider", version, "com.acme.api.Source", SOURCE,
                "com.acme.provider.ProviderModule", source).header("Export-Package", "com.acme.api;version=1.0"),
                "provider-" + version + ".jar", "provider|" + version + "|" + source);
    }

    /** A jar to write, compiled once per content. */
    private record Jar(dev.hotplug.testkit.ModuleJarBuilder jar, String fileName, String key) {
        Path writeTo(Path folder) {
            return TestModules.write(jar, fileName, key, folder);
        }
    }

    private static final String SOURCE = """
            package com.acme.api;

            public interface Source {
                String tag();

                long next();
            }
            """;

    private static final String CONSUMER = """
            package com.acme.consumer;

            import com.acme.api.Source;
            import dev.hotplug.api.*;
            import dev.hotplug.framework.fixture.Counter;
            import dev.hotplug.framework.fixture.Journal;

            @HotplugModule
            public class ConsumerModule implements Counter {
                private Source source;
                private String version;

                @Startup
                void startup() {
                    Journal.log("consumer startup");
                }

                @Shutdown
                void shutdown() {
                    Journal.log("consumer shutdown");
                }

                @Load
                void load(ModuleContext context, LoadReason reason) {
                    version = context.version();
                    source = context.service(Source.class);
                    context.register(Counter.class, this);
                    Journal.log("consumer load " + reason);
                }

                @Unload
                void unload() {
                    Journal.log("consumer unload");
                }

                public long increment() {
                    return source.next();
                }

                public String version() {
                    return "consumer " + version + " via " + source.tag();
                }
            }
            """;
}
