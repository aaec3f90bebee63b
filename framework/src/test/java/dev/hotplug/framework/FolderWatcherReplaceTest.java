package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Counter;
import dev.hotplug.framework.fixture.Journal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.hotplug.framework.FolderWatcherTest.atomicWrite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A module jar replaced by unlink and rename, or renamed within the folder, as {@code jar uf}, {@code zip}, editors
 * and {@code mv} do: one change to the module (a reload, or nothing for the same content), never an undeploy followed
 * by a fresh start; a delete that nothing replaces still undeploys.
 */
class FolderWatcherReplaceTest {

    static byte[] provider1;
    static byte[] provider2;
    static byte[] consumer;

    @TempDir
    Path dir;

    Path modules;
    Hotplug hotplug;
    final List<String> decisions = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void compile(@TempDir Path build) {
        provider1 = provider("1.0.0");
        provider2 = provider("2.0.0");
        Path api = TestModules.writeAtomically(build, "provider.jar", provider1);
        consumer = TestModules.module("consumer", "1.0.0", "com.acme.consumer.ConsumerModule", CONSUMER)
                .header("Import-Package", "com.acme.api;version=\"[1,2)\"").compileClassPath(api).toBytes();
    }

    @BeforeEach
    void startFramework() throws IOException {
        Journal.clear();
        modules = dir.resolve("modules");
        hotplug = FolderWatcherTest.watching(dir, decisions);
        atomicWrite(modules.resolve("prov.jar"), provider1);
        atomicWrite(modules.resolve("consumer.jar"), consumer);
        awaitDecision("Watch: deployed provider 1.0.0 (prov.jar)");
        awaitDecision("Watch: deployed consumer 1.0.0 (consumer.jar)");
        assertEquals(1, hotplug.service(Counter.class).increment());
    }

    @AfterEach
    void stop() {
        hotplug.close();
    }

    @Test
    void unlinkThenRenameOverTheSamePathIsOneReload() throws IOException {
        long consumerGeneration = hotplug.module("consumer").orElseThrow().generation();
        int journalled = Journal.lines().size();
        Path jar = modules.resolve("prov.jar");
        Path temp = modules.resolve("jartmp123.tmp");
        Files.write(temp, provider2);

        Files.delete(jar); // what strace shows of `jar uf prov.jar ...`: unlink, then rename of the finished copy
        Files.move(temp, jar, StandardCopyOption.ATOMIC_MOVE);

        awaitDecision("Watch: reloaded provider 2.0.0 (prov.jar)");
        assertEquals(consumerGeneration + 1, hotplug.module("consumer").orElseThrow().generation());
        assertEquals(List.of("1.0.0->2.0.0 SWAPPED"), attempts("provider"), "one reload, no undeploy and fresh start");
        assertEquals(List.of("1.0.0->1.0.0 SWAPPED"), attempts("consumer"));
        assertEquals(List.of("consumer unload", "provider unload 1.0.0", "provider load 2.0.0 RELOAD",
                "consumer load RELOAD"), Journal.lines().subList(journalled, Journal.lines().size()),
                "no @Shutdown, no @Startup, the importer reloaded rather than failed");
        assertEquals(ModuleStatus.ACTIVE, hotplug.module("consumer").orElseThrow().status());
        assertEquals(2, hotplug.service(Counter.class).increment(), "state carried by the reload");
        assertTrue(decisions.stream().noneMatch(l -> l.startsWith("Watch: undeployed")), decisions::toString);
    }

    @Test
    void unlinkThenWriteInPlaceIsOneReload() throws IOException {
        int journalled = Journal.lines().size();
        Path jar = modules.resolve("prov.jar");

        Files.delete(jar); // an editor that removes the file, then writes the new one where it was
        Files.write(jar, provider2);

        awaitDecision("Watch: reloaded provider 2.0.0 (prov.jar)");
        assertEquals(List.of("1.0.0->2.0.0 SWAPPED"), attempts("provider"));
        assertEquals(List.of("consumer unload", "provider unload 1.0.0", "provider load 2.0.0 RELOAD",
                "consumer load RELOAD"), Journal.lines().subList(journalled, Journal.lines().size()));
        assertEquals(2, hotplug.service(Counter.class).increment());
    }

    @Test
    void renameWithinTheFolderKeepsTheGenerationAndAReplacementUnderAnotherNameReloads() throws IOException {
        long generation = hotplug.module("provider").orElseThrow().generation();
        long consumerGeneration = hotplug.module("consumer").orElseThrow().generation();
        int journalled = Journal.lines().size();
        Path renamed = modules.resolve("prov-1.2.0.jar");

        Files.move(modules.resolve("prov.jar"), renamed, StandardCopyOption.ATOMIC_MOVE);

        awaitDecision("Watch: ignored unchanged provider 1.0.0 (prov-1.2.0.jar)");
        ModuleInfo provider = hotplug.module("provider").orElseThrow();
        assertEquals(List.of(generation, ModuleStatus.ACTIVE, renamed),
                List.of(provider.generation(), provider.status(), provider.file()), "the same generation serves on");
        assertEquals(consumerGeneration, hotplug.module("consumer").orElseThrow().generation());
        assertEquals(List.of(), attempts("provider"));
        assertEquals(List.of(), Journal.lines().subList(journalled, Journal.lines().size()));

        Path staging = Files.write(Files.createDirectories(dir.resolve("staging")).resolve("new.jar"), provider2);
        Files.delete(renamed); // rm m/prov-1.2.0.jar && mv new.jar m/prov-2.0.0.jar
        Files.move(staging, modules.resolve("prov-2.0.0.jar"), StandardCopyOption.ATOMIC_MOVE);

        awaitDecision("Watch: reloaded provider 2.0.0 (prov-2.0.0.jar)");
        assertEquals(consumerGeneration + 1, hotplug.module("consumer").orElseThrow().generation());
        assertEquals(List.of("1.0.0->2.0.0 SWAPPED"), attempts("provider"));
        assertEquals(modules.resolve("prov-2.0.0.jar"), hotplug.module("provider").orElseThrow().file());
        assertEquals(List.of("consumer unload", "provider unload 1.0.0", "provider load 2.0.0 RELOAD",
                "consumer load RELOAD"), Journal.lines().subList(journalled, Journal.lines().size()));
        assertEquals(2, hotplug.service(Counter.class).increment());
        assertTrue(decisions.stream().noneMatch(l -> l.startsWith("Watch: undeployed")), decisions::toString);
    }

    @Test
    void deleteThatNothingReplacesStillUndeploys() throws IOException {
        int journalled = Journal.lines().size();

        Files.delete(modules.resolve("prov.jar"));

        awaitDecision("Watch: undeployed provider 1.0.0 (prov.jar)");
        assertTrue(hotplug.module("provider").isEmpty());
        assertEquals(List.of("consumer unload", "provider unload 1.0.0", "provider shutdown"),
                Journal.lines().subList(journalled, Journal.lines().size()));
        assertEquals(ModuleStatus.FAILED, hotplug.module("consumer").orElseThrow().status());
        assertTrue(hotplug.savedState("provider").isPresent(), "state written on undeploy");
    }

    /** Waits for the watcher's decision line starting with {@code prefix}: the operation it reports has finished. */
    private void awaitDecision(String prefix) {
        Await.until(prefix, () -> decisions.stream().anyMatch(l -> l.startsWith(prefix)));
    }

    /** Module {@code name}'s attempts since its first start, {@code FROM->TO OUTCOME} each. */
    private List<String> attempts(String name) {
        return hotplug.history(name).stream().skip(1).map(h -> h.from() + "->" + h.to() + " " + h.outcome()).toList();
    }

    /** Exports {@code com.acme.api.Source} and provides it; journals every lifecycle call. */
    private static byte[] provider(String version) {
        return TestModules.module("provider", version, "com.acme.api.Source", SOURCE, "com.acme.provider.ProviderModule",
                PROVIDER).header("Export-Package", "com.acme.api;version=1.0").toBytes();
    }

    private static final String SOURCE = """
            package com.acme.api;

            public interface Source {
                long next();
            }
            """;

    private static final String PROVIDER = """
            package com.acme.provider;

            import com.acme.api.Source;
            import dev.hotplug.api.*;
            import dev.hotplug.framework.fixture.Journal;

            @HotplugModule
            public class ProviderModule implements Source {
                public record Saved(long count) { }

                private long count;
                private String version;

                @Startup
                void startup(ModuleContext context) {
                    Journal.log("provider startup");
                }

                @Load
                void load(ModuleContext context, Saved saved, LoadReason reason) {
                    version = context.version();
                    count = saved == null ? 0 : saved.count();
                    Journal.log("provider load " + version + " " + reason);
                    context.register(Source.class, this);
                }

                @Unload
                Saved unload() {
                    Journal.log("provider unload " + version);
                    return new Saved(count);
                }

                @Shutdown
                void shutdown(ModuleContext context) {
                    Journal.log("provider shutdown");
                }

                public synchronized long next() {
                    return ++count;
                }
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

                @Load
                void load(ModuleContext context, LoadReason reason) {
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
                    return "consumer";
                }
            }
            """;
}
