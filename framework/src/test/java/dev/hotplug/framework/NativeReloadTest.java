package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Journal;
import dev.hotplug.framework.fixture.Relay;
import dev.hotplug.nativelib.MappedLibraries;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JNI modules through the whole framework: gcc-built libraries in module jars and loose in the watched folder, one
 * copy per generation, so two versions of one library live side by side, a reload never meets "already loaded",
 * released copies are unmapped and deleted, a library for another machine is refused before module code runs, and a
 * changed loose library reloads the module that loaded it.
 */
class NativeReloadTest {

    private static final String LIB = "answer";

    @TempDir
    Path dir;

    @BeforeEach
    void clearJournal() {
        Journal.clear();
    }

    @Test
    void twoGenerationsLoadTwoVersionsOfOneLibrarySideBySide() throws IOException {
        Path modules = dir.resolve("modules");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            ModuleInfo alpha = hotplug.deploy(NativeModules.write(modules, "alpha.jar",
                    NativeModules.jniJar("alpha", "1.0.0", LIB, "answer v1", false)));
            ModuleInfo beta = hotplug.deploy(NativeModules.write(modules, "beta.jar",
                    NativeModules.jniJar("beta", "1.0.0", LIB, "answer v2", false)));

            assertEquals(ModuleStatus.ACTIVE, alpha.status(), String.valueOf(alpha.lastError()));
            assertEquals(ModuleStatus.ACTIVE, beta.status(), String.valueOf(beta.lastError()));
            assertEquals(List.of("load alpha 1.0.0 answer v1", "load beta 1.0.0 answer v2"), Journal.lines());
            String entry = NativeModules.FOLDER + System.mapLibraryName(LIB);
            assertTrue(alpha.nativeLibraries().get(0).startsWith(LIB + ": " + entry + " -> "), alpha.nativeLibraries().toString());
            Set<Path> both = new TreeSet<>(copies(alpha));
            both.addAll(copies(beta));
            assertEquals(2, both.size(), "one copy per generation: " + both);
            assertEquals(both, Set.copyOf(MappedLibraries.mappedUnder(cacheRoot())), "both versions mapped at once");

            // The reload loads the new version while the old generation's copy is still mapped: no "already loaded".
            ModuleInfo reloaded = hotplug.deploy(NativeModules.write(modules, "alpha.jar",
                    NativeModules.jniJar("alpha", "2.0.0", LIB, "answer v3", false)));

            assertEquals("2.0.0", reloaded.version(), String.valueOf(reloaded.lastError()));
            assertEquals(Outcome.SWAPPED, last(hotplug.history("alpha")).outcome(), last(hotplug.history("alpha")).cause());
            assertEquals("load alpha 2.0.0 answer v3", Journal.lines().get(2));
            assertTrue(Journal.lines().stream().noneMatch(l -> l.startsWith("link error")), Journal.lines().toString());
            assertFalse(both.containsAll(copies(reloaded)), "the reload got a copy of its own");
        }
    }

    @Test
    void hundredReloadsEachAnswerTheirOwnVersionAndLeaveOnlyTheLiveCopy() throws IOException {
        Path modules = dir.resolve("modules");
        int cycles = 100;
        long started = System.nanoTime();
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            Relay relay = hotplug.service(Relay.class);
            ModuleInfo info = null;
            for (int i = 1; i <= cycles; i++) {
                info = hotplug.deploy(NativeModules.write(modules, "jni.jar",
                        NativeModules.jniJar("jni", "1.0." + i, LIB, "answer " + i)));
                assertEquals("1.0." + i, info.version(), "cycle " + i + ": " + info.lastError());
                assertEquals("answer " + i, relay.call("?"), "cycle " + i);
            }
            List<HistoryEntry> history = hotplug.history("jni");
            assertEquals(cycles, history.size(), "the first start and every reload");
            assertTrue(history.stream().allMatch(h -> h.outcome() == Outcome.SWAPPED),
                    history.stream().filter(h -> h.outcome() != Outcome.SWAPPED).toList().toString());
            assertTrue(Journal.lines().stream().noneMatch(l -> l.contains("already loaded") || l.startsWith("link error")),
                    Journal.lines().toString());

            Await.noLeaks(hotplug);
            Set<Path> live = copies(info);
            assertEquals(1, live.size(), info.nativeLibraries().toString());
            Await.until("only the live copy mapped and on disk", () ->
                    Set.copyOf(MappedLibraries.mappedUnder(cacheRoot())).equals(live) && live.equals(copiesOnDisk()));
        }
        System.out.printf("NativeReloadTest: %d JNI reload cycles, leak check included, in %d ms%n", cycles,
                Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    @Test
    void libraryForAnotherMachineIsRefusedWithOneLineAndTheOldVersionServes() throws IOException {
        Path modules = dir.resolve("modules");
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(NativeModules.write(modules, "jni.jar", NativeModules.jniJar("jni", "1.0.0", LIB, "answer v1")));
            byte[] arm = NativeModules.forAarch64(NativeModules.library(LIB, "answer v2"));
            String entry = NativeModules.FOLDER + System.mapLibraryName(LIB);

            ModuleInfo after = hotplug.deploy(NativeModules.write(modules, "jni.jar",
                    NativeModules.jar("jni", "2.0.0", LIB, Map.of(entry, arm))));

            HistoryEntry refused = last(hotplug.history("jni"));
            assertEquals(Outcome.REFUSED, refused.outcome());
            assertTrue(refused.cause().startsWith("Cannot stage module jni 2.0.0: " + entry + " is an ELF for aarch64"),
                    refused.cause());
            assertFalse(refused.cause().contains("\n"), "one line: " + refused.cause());
            assertFalse(refused.cause().contains("UnsatisfiedLinkError"), refused.cause());
            assertEquals("1.0.0", after.version());
            assertEquals(ModuleStatus.ACTIVE, after.status());
            assertEquals("answer v1", hotplug.service(Relay.class).call("?"));
            assertEquals(List.of("load jni 1.0.0 answer v1"), Journal.lines(), "no code of 2.0.0 ran");
        }
    }

    @Test
    void changedLooseLibraryReloadsTheModuleThatLoadedIt() throws IOException {
        Path modules = dir.resolve("modules");
        Path loose = NativeModules.write(modules, System.mapLibraryName(LIB), NativeModules.library(LIB, "loose v1"));
        NativeModules.write(modules, "jni.jar", NativeModules.jar("jni", "1.0.0", LIB, Map.of()));
        List<String> decisions = new CopyOnWriteArrayList<>();
        try (Hotplug hotplug = TestModules.hotplug(dir).watch(true).settleWindow(Duration.ofMillis(30))
                .rescanInterval(Duration.ofMillis(500)).build()) {
            hotplug.start();
            hotplug.watcher().observe(decisions::add);
            Relay relay = hotplug.service(Relay.class);
            assertEquals("loose v1", relay.call("?"));
            ModuleInfo before = hotplug.module("jni").orElseThrow();
            assertTrue(before.nativeLibraries().get(0).startsWith(LIB + ": " + loose.toAbsolutePath().normalize() + " -> "),
                    before.nativeLibraries().toString());

            NativeModules.write(modules, loose.getFileName().toString(), NativeModules.library(LIB, "loose v2"));

            Await.until("the module answering the new loose library", () -> answer(relay).equals("loose v2"));
            ModuleInfo after = hotplug.module("jni").orElseThrow();
            assertEquals(before.generation() + 1, after.generation());
            assertEquals(Outcome.SWAPPED, last(hotplug.history("jni")).outcome());
            Await.until("the watcher's line", () -> decisions.stream().anyMatch(l -> l.startsWith("Watch: reloaded jni 1.0.0")
                    && l.contains(loose.getFileName().toString())));

            // The same bytes written again are not a change.
            NativeModules.write(modules, loose.getFileName().toString(), NativeModules.library(LIB, "loose v2"));
            Await.until("the unchanged rewrite noticed", () -> decisions.stream().anyMatch(l -> l.startsWith("Watch: ignored unchanged")
                    && l.contains(loose.getFileName().toString())));
            assertEquals(after.generation(), hotplug.module("jni").orElseThrow().generation(), decisions.toString());

            // Bytes that are no library, or half of one: refused by their headers, nothing reloads.
            long generation = after.generation();
            NativeModules.write(modules, loose.getFileName().toString(), "not a library".getBytes(StandardCharsets.UTF_8));
            Await.until("the watcher's refusal", () -> decisions.stream().anyMatch(l ->
                    l.startsWith("Watch: refused " + loose.getFileName() + ": it is not a shared library (no ELF header)")));
            byte[] whole = NativeModules.library(LIB, "loose v3");
            NativeModules.write(modules, loose.getFileName().toString(), Arrays.copyOf(whole, whole.length / 2));
            Await.until("the partial library waited for", () -> decisions.stream().anyMatch(l ->
                    l.startsWith("Watch: ignored incomplete " + loose.getFileName() + ": it is truncated")));
            assertEquals(generation, hotplug.module("jni").orElseThrow().generation(), "no reload: " + decisions);
            assertEquals("loose v2", answer(relay));

            // A library that loads but lacks the method: the new generation fails, and the rollback loads the library
            // the generation before had loaded, not the broken file now in the folder.
            NativeModules.write(modules, loose.getFileName().toString(), NativeModules.libraryWithoutTheMethod(LIB));
            Await.until("the watcher's line on the broken library", () -> decisions.stream().anyMatch(l ->
                    l.startsWith("Watch: rolled back jni 1.0.0: native library " + loose.getFileName() + " changed")
                            && l.contains("UnsatisfiedLinkError")));
            HistoryEntry rolledBack = last(hotplug.history("jni"));
            assertEquals(Outcome.ROLLED_BACK, rolledBack.outcome(), rolledBack.toString());
            ModuleInfo back = hotplug.module("jni").orElseThrow();
            assertEquals(ModuleStatus.ACTIVE, back.status());
            assertEquals(after.generation() + 2, back.generation(), "the failed generation, then the rollback's");
            assertEquals("loose v2", answer(relay), "the rollback runs the bytes that worked");

            Await.noLeaks(hotplug);
            Set<Path> live = copies(back);
            Set<Path> kept = new HashSet<>(live);
            live.forEach(copy -> kept.add(real(copy.resolveSibling("loose").resolve(loose.getFileName()))));
            Await.until("only the serving generation's copy mapped, and it and its snapshot on disk", () ->
                    Set.copyOf(MappedLibraries.mappedUnder(cacheRoot())).equals(live) && kept.equals(copiesOnDisk()));
        }
    }

    private static String answer(Relay relay) {
        try {
            return relay.call("?");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path cacheRoot() {
        return dir.resolve("state").resolve("cache");
    }

    /**
     * The library copies on disk: files in generations' {@code native} folders; {@code null} when a release deleted
     * files while they were listed (ask again).
     */
    private Set<Path> copiesOnDisk() {
        try (Stream<Path> files = Files.walk(cacheRoot())) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> cacheRoot().relativize(p).toString().contains("native"))
                    .map(NativeReloadTest::real).collect(Collectors.toSet());
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }

    /** The copies a module's serving generation loaded, from {@code info}'s "name: source -> copy" lines. */
    private static Set<Path> copies(ModuleInfo info) {
        return info.nativeLibraries().stream().map(l -> real(Path.of(l.substring(l.lastIndexOf(" -> ") + 4))))
                .collect(Collectors.toSet());
    }

    private static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HistoryEntry last(List<HistoryEntry> history) {
        return history.get(history.size() - 1);
    }
}
