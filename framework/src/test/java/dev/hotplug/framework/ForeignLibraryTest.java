package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Journal;
import dev.hotplug.framework.fixture.Relay;
import dev.hotplug.nativelib.MappedLibraries;
import dev.hotplug.testkit.ModuleJarBuilder;
import dev.hotplug.testkit.NativeLibraryBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Native libraries for the foreign function API: {@code ModuleContext.nativeLibrary} hands a generation its own copy
 * of a library, from its jar or loose in the watched folder (a change to which reloads the module), and what a
 * generation gives {@code closeOnRelease} (an FFM arena) is closed when it is released — on a reload, a failed load
 * and an undeploy — so its library is unmapped then, not when its loader is collected.
 */
class ForeignLibraryTest {

    /** Closes three resources, the second of which fails; version 3.0.0 fails its {@code @Load} after registering. */
    private static final String CLOSING = """
            package com.acme.closing;

            import dev.hotplug.api.*;
            import dev.hotplug.framework.fixture.Journal;

            @HotplugModule
            public class Closing {
                @Load
                void load(ModuleContext context) {
                    String version = context.version();
                    for (int i = 1; i <= 3; i++) {
                        int n = i;
                        context.closeOnRelease(() -> {
                            Journal.log("close " + version + " " + n);
                            if (n == 2) {
                                throw new IllegalStateException("close " + n + " fails on purpose");
                            }
                        });
                    }
                    if (version.equals("3.0.0")) {
                        throw new IllegalStateException("version 3.0.0 is broken on purpose");
                    }
                    Journal.log("load " + version);
                }
            }
            """;

    /**
     * Starts a thread that outlives its generation, ignoring interrupts, and once the test journals "register late"
     * hands {@code closeOnRelease} one more resource.
     */
    private static final String LATE = """
            package com.acme.late;

            import dev.hotplug.api.*;
            import dev.hotplug.framework.fixture.Journal;
            import java.util.concurrent.locks.LockSupport;

            @HotplugModule
            public class Late {
                @Load
                void load(ModuleContext context) {
                    context.threadFactory().newThread(() -> {
                        while (!Journal.lines().contains("register late")) {
                            Thread.interrupted(); // outlives the release's interrupt on purpose
                            LockSupport.parkNanos(1_000_000);
                        }
                        try {
                            context.closeOnRelease(() -> Journal.log("late closed"));
                        } catch (ModuleException e) {
                            Journal.log(e.getMessage());
                        }
                    }).start();
                }
            }
            """;

    /** Journals the copy {@code nativeLibrary} gives for its library, asks twice, and asks for one that is not there. */
    private static final String LOOKUP = """
            package com.acme.lookup;

            import dev.hotplug.api.*;
            import dev.hotplug.framework.fixture.Journal;
            import java.nio.file.Path;

            @HotplugModule
            public class Lookup {
                @Load
                void load(ModuleContext context) {
                    Path copy = context.nativeLibrary("answer");
                    Journal.log(copy.toString());
                    Journal.log("same " + copy.equals(context.nativeLibrary("answer")));
                    try {
                        context.nativeLibrary("nope");
                    } catch (ModuleException e) {
                        Journal.log(e.getMessage());
                    }
                }
            }
            """;

    /** Calls {@code hotplug_answer()} of its own copy of {@code ffmanswer} through the foreign function API. */
    private static final String FOREIGN = """
            package com.acme.foreign;

            import dev.hotplug.api.*;
            import dev.hotplug.framework.fixture.Relay;
            import java.lang.foreign.*;
            import java.lang.invoke.MethodHandle;

            @HotplugModule
            public class Foreign implements Relay {
                private MethodHandle answer;

                @Load
                void load(ModuleContext context) {
                    Arena arena = Arena.ofShared();
                    context.closeOnRelease(arena);
                    SymbolLookup library = SymbolLookup.libraryLookup(context.nativeLibrary("ffmanswer"), arena);
                    answer = Linker.nativeLinker().downcallHandle(library.find("hotplug_answer").orElseThrow(),
                            FunctionDescriptor.of(ValueLayout.JAVA_INT));
                    context.register(Relay.class, this);
                }

                public String call(String argument) {
                    try {
                        return argument + " " + (int) answer.invokeExact();
                    } catch (Throwable e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void clearJournal() {
        Journal.clear();
    }

    @Test
    void closeOnReleaseClosesLastFirstOnReloadFailedLoadAndUndeploy() {
        Path modules = dir.resolve("modules");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(closing("1.0.0", modules));
            hotplug.deploy(closing("2.0.0", modules));
            Await.until("version 1.0.0 released", () -> Journal.lines().contains("close 1.0.0 1"));

            ModuleInfo rolledBack = hotplug.deploy(closing("3.0.0", modules));
            assertEquals("2.0.0", rolledBack.version());
            hotplug.undeploy("closing");

            Await.until("the rollback's generation released", () -> closes().size() == 12);
            // Each generation's in reverse order, the failing second one not stopping the first; 2.0.0 twice: the
            // generation the failed reload unloaded, then the one the rollback loaded, which the undeploy released.
            assertEquals(List.of("close 1.0.0 3", "close 1.0.0 2", "close 1.0.0 1",
                    "close 3.0.0 3", "close 3.0.0 2", "close 3.0.0 1",
                    "close 2.0.0 3", "close 2.0.0 2", "close 2.0.0 1",
                    "close 2.0.0 3", "close 2.0.0 2", "close 2.0.0 1"), closes());
            assertEquals(List.of("load 1.0.0", "load 2.0.0", "load 2.0.0"),
                    Journal.lines().stream().filter(l -> l.startsWith("load ")).toList());
            Await.noLeaks(hotplug); // what closeOnRelease held does not keep a released generation
        }
    }

    @Test
    void closeOnReleaseAfterTheReleaseClosesAtOnceAndSaysSo() {
        Path modules = dir.resolve("modules");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(TestModules.write(TestModules.module("late", "1.0.0", "com.acme.late.Late", LATE),
                    "late.jar", "late|1.0.0", modules));
            hotplug.undeploy("late");

            Journal.log("register late");
            Await.until("the late registration answered", () -> Journal.lines().size() == 3);
            List<String> lines = Journal.lines();
            assertEquals("late closed", lines.get(1));
            assertTrue(lines.get(2).startsWith("Cannot keep ") && lines.get(2).endsWith(" open until module late 1.0.0"
                    + " is released: generation 1 is released already, so it was closed"), lines.get(2));
        }
    }

    @Test
    void nativeLibraryIsTheGenerationsOwnCopy() throws IOException {
        Path modules = dir.resolve("modules");
        byte[] library = NativeModules.library("answer", "v1");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(lookup("1.0.0", library, modules));
            List<String> first = Journal.lines();
            Path copy = Path.of(first.get(0));
            assertTrue(copy.startsWith(dir.resolve("state").resolve("cache")), copy.toString());
            assertArrayEquals(library, Files.readAllBytes(copy));
            assertEquals("same true", first.get(1));
            assertEquals("Cannot find native library nope for module lookup 1.0.0: neither the jar's "
                    + NativeModules.FOLDER + " folder nor the watched folder has " + System.mapLibraryName("nope"),
                    first.get(2));

            Journal.clear();
            hotplug.deploy(lookup("2.0.0", library, modules));
            Path second = Path.of(Journal.lines().get(0));
            assertNotEquals(copy, second, "each generation has a copy of its own");
            assertArrayEquals(library, Files.readAllBytes(second));
        }
    }

    @Test
    void eachGenerationCallsItsOwnForeignLibraryAndUnmapsItOnRelease() {
        assumeTrue(Runtime.version().feature() >= 22, "the foreign function API is final from JDK 22");
        assumeTrue(MappedLibraries.supported(), "needs /proc/self/maps");
        Path modules = dir.resolve("modules");
        Path cache = dir.resolve("state").resolve("cache");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            Relay relay = hotplug.service(Relay.class);
            hotplug.deploy(foreign("1.0.0", 1, modules));
            assertEquals("v 1", call(relay));
            List<Path> first = MappedLibraries.mappedUnder(cache);
            assertEquals(1, first.size(), first.toString());

            hotplug.deploy(foreign("2.0.0", 2, modules));
            assertEquals("v 2", call(relay));
            // No GC asked for: a JNI copy stays mapped until its loader is collected, this one goes with its arena.
            Await.until("only the serving generation's copy mapped", () -> {
                List<Path> mapped = MappedLibraries.mappedUnder(cache);
                return mapped.size() == 1 && !mapped.equals(first);
            });
        }
    }

    @Test
    void changedLooseForeignLibraryReloadsTheModuleThatLookedItUp() throws IOException {
        assumeTrue(Runtime.version().feature() >= 22, "the foreign function API is final from JDK 22");
        Path modules = dir.resolve("modules");
        Path loose = TestModules.writeAtomically(modules, System.mapLibraryName("ffmanswer"), ffmLibrary(1));
        TestModules.write(foreignModule("1.0.0"), "foreign.jar", "foreign-loose|1.0.0", modules);
        try (Hotplug hotplug = TestModules.hotplug(dir).watch(true).settleWindow(Duration.ofMillis(30))
                .rescanInterval(Duration.ofMillis(500)).build()) {
            hotplug.start();
            Relay relay = hotplug.service(Relay.class);
            assertEquals("v 1", call(relay));
            ModuleInfo before = hotplug.module("foreign").orElseThrow();
            assertTrue(before.nativeLibraries().get(0).startsWith("ffmanswer: " + loose.toAbsolutePath().normalize()
                    + " -> "), before.nativeLibraries().toString());

            TestModules.writeAtomically(modules, loose.getFileName().toString(), ffmLibrary(2));

            Await.until("the module answering from the new loose library", () -> call(relay).equals("v 2"));
            assertEquals(before.generation() + 1, hotplug.module("foreign").orElseThrow().generation());
        }
    }

    private static Path closing(String version, Path modules) {
        return TestModules.write(TestModules.module("closing", version, "com.acme.closing.Closing", CLOSING),
                "closing.jar", "closing|" + version, modules);
    }

    private static Path lookup(String version, byte[] library, Path modules) {
        return TestModules.write(TestModules.module("lookup", version, "com.acme.lookup.Lookup", LOOKUP)
                        .resource(NativeModules.FOLDER + System.mapLibraryName("answer"), library),
                "lookup.jar", "lookup|" + version, modules);
    }

    private static Path foreign(String version, int answer, Path modules) {
        return TestModules.write(foreignModule(version)
                        .resource(NativeModules.FOLDER + System.mapLibraryName("ffmanswer"), ffmLibrary(answer)),
                "foreign.jar", "foreign|" + version, modules);
    }

    private static ModuleJarBuilder foreignModule(String version) {
        return TestModules.module("foreign", version, "com.acme.foreign.Foreign", FOREIGN)
                .release(Runtime.version().feature());
    }

    /** A plain C library whose {@code hotplug_answer()} returns {@code answer}. */
    private static byte[] ffmLibrary(int answer) {
        return NativeLibraryBuilder.library("ffmanswer")
                .source("int hotplug_answer(void) { return " + answer + "; }\n").toBytes();
    }

    private static List<String> closes() {
        return Journal.lines().stream().filter(l -> l.startsWith("close ")).toList();
    }

    private static String call(Relay relay) {
        try {
            return relay.call("v");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
