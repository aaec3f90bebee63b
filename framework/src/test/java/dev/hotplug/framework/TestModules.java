package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Journal;
import dev.hotplug.testkit.ModuleJarBuilder;

/** Source of the test modules: a stateful counter in versions that work and versions that fail in chosen ways. */
final class TestModules {

    private TestModules() {
    }

    /** A counter module of {@code version}; {@code loadBody} runs at the end of its {@code @Load}. */
    static ModuleJarBuilder counter(String version, String loadBody) {
        return ModuleJarBuilder.module("counter", version)
                .compileClassPath(Journal.location())
                .source("com.acme.counter.CounterModule", """
                        package com.acme.counter;

                        import dev.hotplug.api.*;
                        import dev.hotplug.framework.fixture.Counter;
                        import dev.hotplug.framework.fixture.Journal;
                        import java.util.concurrent.atomic.AtomicLong;

                        @HotplugModule
                        public class CounterModule implements Counter {
                            public record Saved(long count) { }

                            private final AtomicLong count = new AtomicLong();
                            private String version;

                            @Startup
                            void startup(ModuleContext context) {
                                Journal.log("startup " + context.version());
                            }

                            @Load
                            void load(ModuleContext context, Saved saved, LoadReason reason) throws Exception {
                                version = context.version();
                                if (saved != null) {
                                    count.set(saved.count());
                                }
                                Journal.log("load " + version + " " + reason + " " + (saved == null ? "-" : saved.count())
                                        + " #" + context.generation());
                                context.register(Counter.class, this);
                                %s
                            }

                            @Unload
                            Saved unload() {
                                Journal.log("unload " + version + " " + count.get());
                                return new Saved(count.get());
                            }

                            @Shutdown
                            void shutdown() {
                                Journal.log("shutdown " + version);
                            }

                            public long increment() {
                                return count.incrementAndGet();
                            }

                            public String version() {
                                return version;
                            }
                        }
                        """.formatted(loadBody));
    }
}
