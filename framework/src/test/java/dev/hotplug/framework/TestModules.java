package dev.hotplug.framework;

import com.fasterxml.jackson.core.TreeNode;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hotplug.framework.fixture.Journal;
import dev.hotplug.testkit.ModuleJarBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test modules and frameworks: a stateful counter in versions that work and versions that fail in chosen ways, plus
 * small modules from raw source. Compiled jars are cached by content, so a module used by many tests compiles once.
 */
final class TestModules {

    private static final Map<String, byte[]> COMPILED = new ConcurrentHashMap<>();

    private TestModules() {
    }

    /** A framework builder over {@code dir}'s modules and state folders, sharing the fixture package, short limits. */
    static HotplugBuilder hotplug(Path dir) {
        return Hotplug.builder().modulesFolder(dir.resolve("modules")).stateFolder(dir.resolve("state"))
                .share(Journal.class.getClassLoader(), "dev.hotplug.framework.fixture")
                .lifecycleTimeout(Duration.ofSeconds(5)).serviceWait(Duration.ofSeconds(2))
                .threadJoin(Duration.ofMillis(500));
    }

    /** A counter module of {@code version}; {@code loadBody} runs at the end of its {@code @Load}. */
    static ModuleJarBuilder counter(String version, String loadBody) {
        return counter(version).onLoad(loadBody).jar();
    }

    /** A counter module named "counter" at {@code version}, to adjust before {@link CounterSource#writeTo}. */
    static CounterSource counter(String version) {
        return new CounterSource("counter", version);
    }

    /** A module jar compiled from {@code sources} (class name, source, ...) against the fixture and Jackson. */
    static ModuleJarBuilder module(String name, String version, String... sources) {
        ModuleJarBuilder jar = ModuleJarBuilder.module(name, version).compileClassPath(Journal.location())
                .compileClassPath(location(JsonNode.class)).compileClassPath(location(TreeNode.class));
        for (int i = 0; i < sources.length; i += 2) {
            jar.source(sources[i], sources[i + 1]);
        }
        return jar;
    }

    /** Writes {@code jar} into {@code dir} atomically, compiling it only the first time this content is asked for. */
    static Path write(ModuleJarBuilder jar, String fileName, String cacheKey, Path dir) {
        return writeAtomically(dir, fileName, COMPILED.computeIfAbsent(cacheKey, k -> jar.toBytes()));
    }

    /** Writes {@code bytes} to {@code dir/fileName} by an atomic rename, as a finished copy arrives. */
    static Path writeAtomically(Path dir, String fileName, byte[] bytes) {
        try {
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, ".building-", ".tmp");
            Files.write(temp, bytes);
            return Files.move(temp, dir.resolve(fileName), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The counter module's source with hooks. It journals "startup V", "load V REASON COUNT #GEN", "unload V COUNT",
     * "shutdown V"; its constructor hands itself to {@code LoaderProbe} under "NAME V"; it registers {@code Counter}.
     */
    static final class CounterSource {
        private final String name;
        private final String version;
        private String classAnnotations = "";
        private String moduleArguments = "";
        private String loadAnnotation = "@Load";
        private String loadBody = "";
        private String unloadBody = "";
        private String saved = "public record Saved(long count) { }";
        private String restore = "count.set(saved.count());";
        private String capture = "new Saved(count.get())";
        private String members = "";
        private final List<Path> classPath = new ArrayList<>();

        private CounterSource(String name, String version) {
            this.name = name;
            this.version = version;
        }

        /** Statements run at the end of {@code @Load(ModuleContext context, Saved saved, LoadReason reason)}. */
        CounterSource onLoad(String statements) {
            this.loadBody = statements;
            return this;
        }

        /** Statements run at the start of {@code @Unload}. */
        CounterSource onUnload(String statements) {
            this.unloadBody = statements;
            return this;
        }

        /** The annotation on the load method, for example {@code @Load(timeoutMillis = 300)}. */
        CounterSource loadAnnotation(String annotation) {
            this.loadAnnotation = annotation;
            return this;
        }

        /** Annotations on the class besides {@code @HotplugModule}, for example {@code @StateVersion(3)}. */
        CounterSource classAnnotations(String annotations) {
            this.classAnnotations = annotations;
            return this;
        }

        /** Makes the module say {@code @HotplugModule(reloadable = false)}. */
        CounterSource notReloadable() {
            this.moduleArguments = "(reloadable = false)";
            return this;
        }

        /**
         * The state type: {@code declaration} of a nested type named {@code Saved}, {@code restore} statements reading
         * {@code saved} into {@code count}, {@code capture} an expression building a {@code Saved} from {@code count}.
         */
        CounterSource state(String declaration, String restore, String capture) {
            this.saved = declaration;
            this.restore = restore;
            this.capture = capture;
            return this;
        }

        /** Extra members of the lifecycle class, such as {@code @Migrate} methods. */
        CounterSource members(String code) {
            this.members = code;
            return this;
        }

        /** Compiles against {@code entry} too, without putting it in the jar. */
        CounterSource compileClassPath(Path entry) {
            classPath.add(entry);
            return this;
        }

        String source() {
            return """
                    package com.acme.counter;

                    import dev.hotplug.api.*;
                    import dev.hotplug.framework.fixture.Counter;
                    import dev.hotplug.framework.fixture.Journal;
                    import dev.hotplug.framework.fixture.LoaderProbe;
                    import java.util.concurrent.atomic.AtomicLong;

                    %s
                    @HotplugModule%s
                    public class CounterModule implements Counter {
                        %s

                        private final AtomicLong count = new AtomicLong();
                        private String version;

                        public CounterModule() {
                            LoaderProbe.track("%s %s", this);
                        }

                        @Startup
                        void startup(ModuleContext context) {
                            Journal.log("startup " + context.version());
                        }

                        %s
                        void load(ModuleContext context, Saved saved, LoadReason reason) throws Exception {
                            version = context.version();
                            if (saved != null) {
                                %s
                            }
                            Journal.log("load " + version + " " + reason + " " + (saved == null ? "-" : count.get())
                                    + " #" + context.generation());
                            context.register(Counter.class, this);
                            %s
                        }

                        @Unload
                        Saved unload() throws Exception {
                            %s
                            Journal.log("unload " + version + " " + count.get());
                            return %s;
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

                        %s
                    }
                    """.formatted(classAnnotations, moduleArguments, saved, name, version, loadAnnotation, restore,
                    loadBody, unloadBody, capture, members);
        }

        ModuleJarBuilder jar() {
            ModuleJarBuilder jar = module(name, version, "com.acme.counter.CounterModule", source());
            classPath.forEach(jar::compileClassPath);
            return jar;
        }

        /** Writes {@code name-version.jar} into {@code dir} (compiled once per distinct source). */
        Path writeTo(Path dir) {
            return write(jar(), name + "-" + version + ".jar", name + "|" + version + "|" + classPath + "|" + source(), dir);
        }
    }
}
