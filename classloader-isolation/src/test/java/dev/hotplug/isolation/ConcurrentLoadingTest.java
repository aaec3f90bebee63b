package dev.hotplug.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hotplug.testkit.ModuleJarBuilder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Many threads loading the same classes at once from one loader, and through an import, get one class each. */
class ConcurrentLoadingTest {

    private static final int THREADS = 8;
    private static final int CHAIN = 12;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void eightThreadsLoadingTheSameClassesGetTheSameClassObjects() throws Exception {
        ModuleJarBuilder provider = ModuleJarBuilder.module("provider", "1.0.0");
        List<String> providerNames = new ArrayList<>();
        for (int i = 0; i < CHAIN; i++) {
            String name = "com.p.P" + i;
            provider.source(name, "package com.p; public class P" + i + (i == 0 ? "" : " extends P" + (i - 1))
                    + " { static final String ID = \"P" + i + "\" + System.nanoTime(); }");
            providerNames.add(name);
        }
        Path providerJar = provider.writeTo(dir);
        ModuleJarBuilder consumer = ModuleJarBuilder.module("consumer", "1.0.0").compileClassPath(providerJar);
        List<String> consumerNames = new ArrayList<>();
        for (int i = 0; i < CHAIN; i++) {
            String name = "com.c.C" + i;
            consumer.source(name, "package com.c; public class C" + i + " extends com.p.P" + (CHAIN - 1 - i)
                    + " implements java.io.Serializable { private static final long serialVersionUID = 1L; }");
            consumerNames.add(name);
        }
        Path consumerJar = consumer.writeTo(dir);
        List<String> all = new ArrayList<>(consumerNames);
        all.addAll(providerNames);

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (int round = 0; round < 3; round++) {
                try (ModuleClassLoader p = new ModuleClassLoader(Fixtures.spec("provider", round, Fixtures.copyForGeneration(providerJar, dir, round)).build());
                     ModuleClassLoader c = new ModuleClassLoader(Fixtures.spec("consumer", round, Fixtures.copyForGeneration(consumerJar, dir, round))
                             .imports(pkg -> pkg.equals("com.p") ? p : null).build())) {
                    CountDownLatch gate = new CountDownLatch(1);
                    List<Future<Map<String, Class<?>>>> results = new ArrayList<>();
                    for (int t = 0; t < THREADS; t++) {
                        List<String> order = new ArrayList<>(all);
                        Collections.shuffle(order, new Random(round * 31L + t));
                        ClassLoader via = t % 2 == 0 ? c : p;
                        results.add(pool.submit(() -> {
                            gate.await();
                            Map<String, Class<?>> seen = new java.util.HashMap<>();
                            for (String name : order) {
                                if (via == c || name.startsWith("com.p.")) {
                                    seen.put(name, Class.forName(name, true, via));
                                }
                            }
                            return seen;
                        }));
                    }
                    gate.countDown();
                    Map<String, Class<?>> reference = all.stream().collect(Collectors.toMap(Function.identity(),
                            name -> loadOrFail(name.startsWith("com.p.") ? p : c, name)));
                    for (Future<Map<String, Class<?>>> result : results) {
                        Map<String, Class<?>> seen = result.get(20, TimeUnit.SECONDS);
                        seen.forEach((name, type) -> assertSame(reference.get(name), type, name));
                    }
                    for (String name : providerNames) {
                        assertSame(p, reference.get(name).getClassLoader());
                    }
                    for (String name : consumerNames) {
                        assertSame(c, reference.get(name).getClassLoader());
                    }
                    assertEquals(all.size(), reference.size());
                }
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    private static Class<?> loadOrFail(ClassLoader loader, String name) {
        try {
            return loader.loadClass(name);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("Cannot load " + name + ": " + e.getMessage(), e);
        }
    }
}
