package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Journal;
import dev.hotplug.isolation.LeakWatcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The threads a generation starts through its context stop with it; one that will not stop is reported by name. */
class ThreadsTest {

    @TempDir
    Path dir;

    @BeforeEach
    void clear() {
        Journal.clear();
    }

    @Test
    void executorAndFactoryThreadsAreInterruptedAndJoinedAtUnload() {
        Path in = dir.resolve("in");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(TestModules.write(TestModules.module("worker", "1.0.0", "com.acme.worker.Worker", WORKER),
                    "worker-1.0.0.jar", "worker1|" + WORKER, in));
            assertEquals(List.of("worker#1 started"), Journal.lines());

            hotplug.deploy(TestModules.write(TestModules.module("worker", "2.0.0", "com.acme.worker.Worker", WORKER),
                    "worker-2.0.0.jar", "worker2|" + WORKER, in));
            assertTrue(Journal.lines().containsAll(List.of("worker#1 executor task interrupted on worker#1-1",
                    "worker#1 factory thread interrupted on worker#1-2")),
                    "the reload returned after both threads of generation 1 ended: " + Journal.lines());

            hotplug.undeploy("worker");
            assertTrue(Journal.lines().containsAll(List.of("worker#2 executor task interrupted on worker#2-1",
                    "worker#2 factory thread interrupted on worker#2-2")), Journal.lines().toString());
            Await.noLeaks(hotplug);
        }
    }

    @Test
    void aThreadThatIgnoresInterruptsIsReportedAsALeakByName() {
        try (Hotplug hotplug = TestModules.hotplug(dir).threadJoin(Duration.ofMillis(200)).build()) {
            hotplug.start();
            hotplug.deploy(TestModules.write(TestModules.module("stubborn", "1.0.0", "com.acme.stubborn.Stubborn",
                    STUBBORN), "stubborn-1.0.0.jar", "stubborn|" + STUBBORN, dir.resolve("in")));
            Await.until("the stubborn thread to run", () -> Journal.lines().contains("stubborn runs on stubborn#1-1"));

            hotplug.undeploy("stubborn");

            Await.until("the stubborn thread to be interrupted", () -> Journal.lines().contains("stubborn ignores an interrupt"));
            List<LeakWatcher.Leak> leaks = hotplug.leaks();
            assertEquals(1, leaks.size(), leaks.toString());
            assertEquals("stubborn", leaks.get(0).module());
            assertEquals(1, leaks.get(0).generation());
            assertTrue(leaks.get(0).reason().contains("stubborn#1-1"), leaks.get(0).reason());

            Journal.log("release stubborn");
            Await.noLeaks(hotplug);
        }
    }

    /** Starts an executor task and a factory thread that sleep until interrupted; waits until both run. */
    private static final String WORKER = """
            package com.acme.worker;

            import dev.hotplug.api.*;
            import dev.hotplug.framework.fixture.Journal;
            import java.util.concurrent.CountDownLatch;
            import java.util.concurrent.TimeUnit;

            @HotplugModule
            public class Worker {
                @Load
                void load(ModuleContext context) throws InterruptedException {
                    String label = context.name() + "#" + context.generation();
                    CountDownLatch running = new CountDownLatch(2);
                    context.executor().execute(() -> sleepUntilInterrupted(label + " executor task", running));
                    context.threadFactory().newThread(() -> sleepUntilInterrupted(label + " factory thread", running)).start();
                    if (!running.await(5, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("threads did not start");
                    }
                    Journal.log(label + " started");
                }

                private static void sleepUntilInterrupted(String what, CountDownLatch running) {
                    running.countDown();
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        Journal.log(what + " interrupted on " + Thread.currentThread().getName());
                    }
                }
            }
            """;

    /** Starts a thread that keeps running through interrupts until the test journals "release stubborn". */
    private static final String STUBBORN = """
            package com.acme.stubborn;

            import dev.hotplug.api.*;
            import dev.hotplug.framework.fixture.Journal;

            @HotplugModule
            public class Stubborn {
                @Load
                void load(ModuleContext context) {
                    context.threadFactory().newThread(() -> {
                        Journal.log("stubborn runs on " + Thread.currentThread().getName());
                        while (true) {
                            try {
                                Journal.await("release stubborn");
                                return;
                            } catch (InterruptedException e) {
                                Journal.log("stubborn ignores an interrupt");
                            }
                        }
                    }).start();
                }
            }
            """;
}
