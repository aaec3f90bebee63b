package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Journal;
import dev.hotplug.testkit.ModuleJarBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.hotplug.framework.FolderWatcherTest.await;
import static dev.hotplug.framework.FolderWatcherTest.awaitVersion;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bursts on the watched folder: many jars at once (past the event queue's size), and quick successive replacements. */
class FolderWatcherBurstTest {

    static byte[] plainJar;
    static byte[] providerJar;

    @TempDir
    Path dir;

    Path modules;
    Hotplug hotplug;
    final List<String> decisions = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void compile() {
        FolderWatcherTest.compile();
        plainJar = ModuleJarBuilder.module("plain", "1.0.0").source("com.acme.plain.PlainModule", """
                package com.acme.plain;

                import dev.hotplug.api.*;

                @HotplugModule
                public class PlainModule {
                    @Load
                    void load(ModuleContext context) {
                    }
                }
                """).toBytes();
        providerJar = ModuleJarBuilder.module("provider", "1.0.0")
                .source("com.acme.burst.api.Api", "package com.acme.burst.api; public interface Api { }")
                .source("com.acme.burst.ProviderModule", """
                        package com.acme.burst;

                        import dev.hotplug.api.*;

                        @HotplugModule
                        public class ProviderModule {
                            @Load
                            void load(ModuleContext context) {
                            }
                        }
                        """).header("Export-Package", "com.acme.burst.api").toBytes();
    }

    @BeforeEach
    void startFramework() {
        Journal.clear();
        modules = dir.resolve("modules");
        hotplug = FolderWatcherTest.watching(dir, decisions);
    }

    @AfterEach
    void stop() {
        hotplug.close();
    }

    @Test
    void fiftyJarsDroppedAtOnceAmidNoiseAllDeployProvidersFirst() throws IOException {
        Path staging = Files.createDirectories(dir.resolve("staging"));
        List<Path> jars = new ArrayList<>();
        // the importer sorts first, so only dependency order brings it up without a wait
        jars.add(write(staging, "a-consumer.jar", FolderWatcherTest.relabel(plainJar, "consumer", "1.0.0",
                Map.of("Import-Package", "com.acme.burst.api"))));
        jars.add(write(staging, "provider.jar", providerJar));
        for (int i = 0; i < 48; i++) {
            String name = "plain%02d".formatted(i);
            jars.add(write(staging, name + ".jar", FolderWatcherTest.relabel(plainJar, name, "1.0.0", Map.of())));
        }
        // 600 ignored files amid the jars: their events alone pass the 512 a watch key holds while the watcher is busy
        // deploying the first jars, so the later jars' events may be lost to an OVERFLOW
        for (int i = 0; i < jars.size(); i++) {
            if (i == 25) {
                for (int n = 0; n < 600; n++) {
                    Files.write(modules.resolve("noise-" + n + ".tmp"), new byte[] {1});
                }
            }
            Files.move(jars.get(i), modules.resolve(jars.get(i).getFileName()), StandardCopyOption.ATOMIC_MOVE);
        }
        await("50 modules active", () -> hotplug.modules().stream()
                .filter(m -> m.status() == ModuleStatus.ACTIVE).count() == 50);
        assertEquals(50, hotplug.modules().size());
        System.out.println("burst: overflow seen=" + decisions.stream().anyMatch(l -> l.contains("overflowed"))
                + ", deploy decisions=" + decisions.stream().filter(l -> l.startsWith("Watch: deployed")).count());
        assertTrue(decisions.stream().noneMatch(l -> l.contains("incomplete")), decisions.toString());
    }

    @Test
    void jarReplacedTenTimesWithinASecondEndsOnTheLastVersion() throws IOException {
        Path jar = modules.resolve("counter.jar");
        List<byte[]> versions = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            versions.add(FolderWatcherTest.counter("1.0." + i));
        }
        long started = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            if (i % 2 == 0) {
                Files.write(jar, versions.get(i)); // in place: the watcher sees it half-written
            } else {
                FolderWatcherTest.atomicWrite(jar, versions.get(i));
            }
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(millis < 1000, "the ten writes took " + millis + " ms");
        awaitVersion(hotplug, "counter", "1.0.9");
        await("decision on 1.0.9", () -> decisions.stream().anyMatch(l -> l.contains("counter 1.0.9 (counter.jar)")));
        assertTrue(decisions.stream().noneMatch(l -> l.contains("refused")), decisions.toString());
        assertEquals(List.of(), hotplug.history("counter").stream().filter(h -> h.outcome() != Outcome.SWAPPED).toList());
    }

    private static Path write(Path folder, String name, byte[] bytes) throws IOException {
        return Files.write(folder.resolve(name), bytes);
    }
}
