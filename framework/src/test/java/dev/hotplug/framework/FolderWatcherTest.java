package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Counter;
import dev.hotplug.framework.fixture.Journal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The watched folder on real folders: drop, replace, delete, slow writers, a recreated folder, two jars of one name. */
class FolderWatcherTest {

    static byte[] counterJar;

    @TempDir
    Path dir;

    Path modules;
    Hotplug hotplug;
    final List<String> decisions = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void compile() {
        counterJar = TestModules.counter("1.0.0", "").toBytes();
    }

    @BeforeEach
    void startFramework() {
        Journal.clear();
        modules = dir.resolve("modules");
        hotplug = watching(dir, decisions);
    }

    @AfterEach
    void stop() {
        hotplug.close();
    }

    @Test
    void droppedJarDeploysAndDeletedJarUndeploysWithStateKept() throws IOException {
        atomicWrite(modules.resolve("counter.jar"), counter("1.0.0"));
        awaitVersion(hotplug, "counter", "1.0.0");
        Counter counter = hotplug.service(Counter.class);
        assertEquals(1, counter.increment());
        assertEquals(2, counter.increment());
        awaitCount("Watch: deployed counter 1.0.0 (counter.jar)", 1);

        Files.delete(modules.resolve("counter.jar"));
        await("counter undeployed", () -> hotplug.module("counter").isEmpty());
        awaitCount("Watch: undeployed counter 1.0.0 (counter.jar)", 1);
        assertTrue(hotplug.savedState("counter").isPresent(), "state written on undeploy");

        atomicWrite(modules.resolve("counter.jar"), counter("1.0.1"));
        awaitVersion(hotplug, "counter", "1.0.1");
        assertEquals(3, counter.increment(), "state kept for a later deploy of the same name");
    }

    @Test
    void replacedJarReloadsCarryingStateAndUnchangedRewriteIsSkipped() throws IOException {
        Path jar = modules.resolve("counter.jar");
        atomicWrite(jar, counter("1.0.0"));
        awaitVersion(hotplug, "counter", "1.0.0");
        Counter counter = hotplug.service(Counter.class);
        counter.increment();
        counter.increment();

        Files.write(jar, counter("2.0.0")); // in place: create/modify events, settles first
        awaitVersion(hotplug, "counter", "2.0.0");
        assertEquals(3, counter.increment());
        awaitCount("Watch: reloaded counter 2.0.0 (counter.jar)", 1);
        long generation = hotplug.module("counter").orElseThrow().generation();

        Files.write(jar, counter("2.0.0"));
        await("unchanged rewrite reported", () -> decisions.stream()
                .anyMatch(l -> l.startsWith("Watch: ignored unchanged counter 2.0.0 (counter.jar)")));
        assertEquals(generation, hotplug.module("counter").orElseThrow().generation());
    }

    @Test
    void aJarOverwrittenWithAnotherModuleTakesTheFirstOneOut() throws IOException {
        Path jar = modules.resolve("counter.jar");
        atomicWrite(jar, counter("1.0.0"));
        awaitVersion(hotplug, "counter", "1.0.0");
        hotplug.service(Counter.class).increment();

        atomicWrite(jar, TestModules.module("plain", "1.0.0", "com.acme.plain.Plain", LifecycleTest.PLAIN).toBytes());

        awaitVersion(hotplug, "plain", "1.0.0");
        await("counter out", () -> hotplug.module("counter").isEmpty());
        awaitCount("Watch: replaced counter 1.0.0 (counter.jar): the jar module counter runs from now holds plain", 1);
        assertTrue(hotplug.savedState("counter").isPresent(), "counter left with its state written");
        assertEquals(jar, hotplug.module("plain").orElseThrow().file());
    }

    @Test
    void aReplacementRefusedAtStagingIsReportedRefusedWithTheVersionThatServesOn() throws IOException {
        Path jar = modules.resolve("counter.jar");
        atomicWrite(jar, counter("1.0.0"));
        awaitVersion(hotplug, "counter", "1.0.0");
        long generation = hotplug.module("counter").orElseThrow().generation();

        atomicWrite(jar, TestModules.counter("2.0.0").classAnnotations("@StateVersion(2)").jar().toBytes());

        awaitCount("Watch: refused counter 2.0.0 (counter.jar): Cannot stage module counter 2.0.0", 1);
        String line = decisions.stream().filter(l -> l.startsWith("Watch: refused counter 2.0.0")).findFirst().orElseThrow();
        assertTrue(line.endsWith("; counter 1.0.0 serves on (generation " + generation + ")"), line);
        assertFalse(decisions.stream().anyMatch(l -> l.startsWith("Watch: reloaded counter 2.0.0")), decisions.toString());
    }

    @Test
    void aFailedReplacementUnderAnotherNameBecomesTheModulesFile() throws IOException {
        Path jar = modules.resolve("counter.jar");
        atomicWrite(jar, counter("1.0.0"));
        awaitVersion(hotplug, "counter", "1.0.0");
        Path broken = modules.resolve("counter-2.jar");
        Path staging = Files.write(dir.resolve("counter-2.jar"),
                TestModules.counter("2.0.0", "throw new IllegalStateException(\"v2 is broken\");").toBytes());

        Files.delete(jar); // rm counter.jar && mv counter-2.jar modules/: the replacement follows at once
        Files.move(staging, broken, StandardCopyOption.ATOMIC_MOVE);

        awaitCount("Watch: rolled back counter 2.0.0 (counter-2.jar)", 1);
        ModuleInfo info = hotplug.module("counter").orElseThrow();
        assertEquals("1.0.0", info.version());
        assertEquals(broken, info.file(), "the folder's only jar of the module, not the deleted one");
        Files.delete(broken);
        await("counter undeployed with its last jar", () -> hotplug.module("counter").isEmpty());
    }

    @Test
    void theSameJarCopiedAgainRetriesAModuleThatDoesNotServe() throws IOException {
        Path flag = dir.resolve("ready");
        byte[] needsFlag = TestModules.counter("1.0.0", "if (!java.nio.file.Files.exists(java.nio.file.Path.of(\""
                + flag.toString().replace("\\", "\\\\") + "\"))) throw new IllegalStateException(\"not ready\");")
                .toBytes();
        Path jar = modules.resolve("counter.jar");
        atomicWrite(jar, needsFlag);
        await("counter failed", () -> hotplug.module("counter").map(m -> m.status() == ModuleStatus.FAILED).orElse(false));

        Files.createFile(flag);
        atomicWrite(jar, needsFlag);

        awaitVersion(hotplug, "counter", "1.0.0");
        assertEquals(ModuleStatus.ACTIVE, hotplug.module("counter").orElseThrow().status());
        hotplug.undeploy("counter");
        atomicWrite(jar, needsFlag);
        awaitVersion(hotplug, "counter", "1.0.0");
        assertEquals(0, decisions.stream().filter(l -> l.startsWith("Watch: ignored unchanged")).count(), decisions.toString());
    }

    @Test
    void replacedJarWhoseLoadFailsIsReportedRolledBackEvenAtTheSameVersion() throws IOException {
        Path jar = modules.resolve("counter.jar");
        atomicWrite(jar, counter("1.0.0"));
        awaitVersion(hotplug, "counter", "1.0.0");
        Counter counter = hotplug.service(Counter.class);
        assertEquals(1, counter.increment());
        long generation = hotplug.module("counter").orElseThrow().generation();

        atomicWrite(jar, TestModules.counter("1.0.0",
                "if (reason == LoadReason.RELOAD) throw new IllegalStateException(\"no reload today\");").toBytes());
        awaitCount("Watch: rolled back counter 1.0.0 (counter.jar): ", 1);

        String line = decisions.stream().filter(l -> l.startsWith("Watch: rolled back")).findFirst().orElseThrow();
        assertTrue(line.contains("no reload today") && line.contains("counter 1.0.0 serves again (generation "
                + (generation + 2) + ")"), line);
        assertFalse(decisions.stream().anyMatch(l -> l.startsWith("Watch: reloaded")), decisions::toString);
        assertEquals(2, counter.increment(), "the version before serves on with its state");
    }

    @Test
    void slowWriterIsNeverDeployedHalfWritten() throws IOException {
        byte[] bytes = counter("3.0.0");
        Path jar = modules.resolve("counter.jar");
        int third = bytes.length / 3;
        try (OutputStream out = Files.newOutputStream(jar)) {
            out.write(bytes, 0, third);
            out.flush();
            awaitCount("Watch: ignored incomplete counter.jar", 1);
            out.write(bytes, third, third);
            out.flush();
            awaitCount("Watch: ignored incomplete counter.jar", 2);
            out.write(bytes, 2 * third, bytes.length - 2 * third);
        }
        awaitVersion(hotplug, "counter", "3.0.0");
        assertEquals(ModuleStatus.ACTIVE, hotplug.module("counter").orElseThrow().status());
        assertTrue(decisions.stream().noneMatch(l -> l.contains("refused") || l.contains("corrupt")), decisions.toString());
        assertEquals(List.of(), hotplug.history("counter").stream().filter(h -> h.outcome() != Outcome.SWAPPED).toList());
    }

    @Test
    void folderDeletedAndRecreatedIsWatchedAgain() throws IOException {
        atomicWrite(modules.resolve("counter.jar"), counter("1.0.0"));
        awaitVersion(hotplug, "counter", "1.0.0");

        FileTree.delete(modules);
        await("counter undeployed with its folder", () -> hotplug.module("counter").isEmpty());

        Files.createDirectories(modules);
        atomicWrite(modules.resolve("counter-2.jar"), counter("2.0.0"));
        awaitVersion(hotplug, "counter", "2.0.0");
        assertEquals(modules.resolve("counter-2.jar"), hotplug.module("counter").orElseThrow().file());
    }

    @Test
    void higherVersionOfOneNameRunsAndRemovingItGoesBackToTheOther() throws IOException {
        atomicWrite(modules.resolve("counter-a.jar"), counter("1.0.0"));
        awaitVersion(hotplug, "counter", "1.0.0");
        hotplug.service(Counter.class).increment();

        atomicWrite(modules.resolve("counter-b.jar"), counter("2.0.0"));
        awaitVersion(hotplug, "counter", "2.0.0");
        assertEquals(modules.resolve("counter-b.jar"), hotplug.module("counter").orElseThrow().file());

        atomicWrite(modules.resolve("counter-c.jar"), counter("1.5.0"));
        await("lower version reported", () -> decisions.stream().anyMatch(l -> l.startsWith(
                "Watch: ignored counter 1.5.0 (counter-c.jar): module counter 2.0.0 from counter-b.jar")));
        assertEquals("2.0.0", hotplug.module("counter").orElseThrow().version());

        Files.delete(modules.resolve("counter-b.jar"));
        awaitVersion(hotplug, "counter", "1.5.0");
        assertEquals(modules.resolve("counter-c.jar"), hotplug.module("counter").orElseThrow().file());
        assertEquals(2, hotplug.service(Counter.class).increment(), "state carried back");

        Files.delete(modules.resolve("counter-c.jar"));
        awaitVersion(hotplug, "counter", "1.0.0");
        assertEquals(modules.resolve("counter-a.jar"), hotplug.module("counter").orElseThrow().file());
    }

    @Test
    void unfinishedAndHiddenNamesAreIgnored() throws IOException {
        byte[] other = relabel(counterJar, "stray", "1.0.0", Map.of());
        for (String name : List.of(".hidden.jar", "stray.jar.tmp", "stray.jar.part", "stray.jar.crdownload", "stray.jar~",
                ".#stray.jar", "stray.jar.swp", "#stray.jar#")) {
            Files.write(modules.resolve(name), other);
        }
        atomicWrite(modules.resolve("counter.jar"), counter("1.0.0"));
        awaitVersion(hotplug, "counter", "1.0.0");
        assertEquals(List.of("counter"), hotplug.modules().stream().map(ModuleInfo::name).toList());
        assertTrue(decisions.stream().noneMatch(l -> l.contains("stray")), decisions.toString());
    }

    @Test
    void aJarWrittenOutOfOrderIsDeployedOnlyWhenItsMiddleIsWrittenToo() throws IOException {
        byte[] blob = new byte[256 * 1024];
        new java.util.Random(7).nextBytes(blob); // incompressible, so the hole falls inside its data
        byte[] bytes = TestModules.counter("1.0.0", "").resource("data/blob.bin", blob).toBytes();
        Path jar = modules.resolve("counter.jar");
        int head = bytes.length / 4;
        int tail = bytes.length / 4;
        try (FileChannel out = FileChannel.open(jar, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            // As a parallel downloader does: the file at its full size, its ends written first, zeros in between.
            out.write(ByteBuffer.wrap(bytes, 0, head), 0);
            out.write(ByteBuffer.wrap(bytes, bytes.length - tail, tail), bytes.length - tail);
            out.force(false);
            awaitCount("Watch: ignored incomplete counter.jar", 1);
            assertTrue(hotplug.module("counter").isEmpty(), "nothing deployed from a jar with a hole");
            out.write(ByteBuffer.wrap(bytes, head, bytes.length - head - tail), head);
        }
        awaitVersion(hotplug, "counter", "1.0.0");
        assertEquals(List.of(Outcome.SWAPPED), hotplug.history("counter").stream().map(HistoryEntry::outcome).toList());
    }

    @Test
    void aSymbolicLinkLoopIsReportedOnceNotAtEveryRescan() throws IOException {
        Files.createSymbolicLink(modules.resolve("loop1.jar"), Path.of("loop2.jar"));
        Files.createSymbolicLink(modules.resolve("loop2.jar"), Path.of("loop1.jar"));
        awaitCount("Watch: cannot read the attributes of loop1.jar", 1);
        awaitCount("Watch: cannot read the attributes of loop2.jar", 1);
        long rescans = hotplug.watcher().rescans();
        await("two more rescans", () -> hotplug.watcher().rescans() >= rescans + 2);
        assertEquals(2, decisions.stream().filter(l -> l.startsWith("Watch: cannot read the attributes")).count(),
                decisions.toString());
    }

    @Test
    void truncatedJarIsReportedIncompleteAndNeverRefused() throws IOException {
        byte[] bytes = counter("1.0.0");
        Files.write(modules.resolve("counter.jar"), java.util.Arrays.copyOf(bytes, bytes.length - 10));
        awaitCount("Watch: ignored incomplete counter.jar", 1);
        assertTrue(hotplug.module("counter").isEmpty());
        Files.write(modules.resolve("counter.jar"), bytes);
        awaitVersion(hotplug, "counter", "1.0.0");
        assertFalse(decisions.stream().anyMatch(l -> l.contains("refused")), decisions.toString());
    }

    // ---- shared by the FolderWatcher*Test classes ----

    /** A watching framework over {@code dir}/modules with short windows, its decisions collected in {@code lines}. */
    static Hotplug watching(Path dir, List<String> lines) {
        return watching(dir, lines, dir.resolve("modules"));
    }

    /** A watching framework over {@code modules}, its state under {@code dir}. */
    static Hotplug watching(Path dir, List<String> lines, Path modules) {
        Hotplug hotplug = Hotplug.builder().modulesFolder(modules).stateFolder(dir.resolve("state"))
                .share(Journal.class.getClassLoader(), "dev.hotplug.framework.fixture")
                .lifecycleTimeout(Duration.ofSeconds(5)).serviceWait(Duration.ofSeconds(5))
                .watch(true).rescanInterval(Duration.ofMillis(500)).settleWindow(Duration.ofMillis(50)).build();
        hotplug.start();
        hotplug.watcher().observe(lines::add);
        return hotplug;
    }

    /** The counter test module relabelled as {@code version}. */
    static byte[] counter(String version) {
        return relabel(counterJar, "counter", version, Map.of());
    }

    /** {@code jar} with its module name and version (and {@code extra} headers) replaced in the manifest. */
    static byte[] relabel(byte[] jar, String name, String version, Map<String, String> extra) {
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar));
             ByteArrayOutputStream bytes = new ByteArrayOutputStream()) {
            try (ZipOutputStream out = new ZipOutputStream(bytes)) {
                for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                    byte[] content = in.readAllBytes();
                    if (entry.getName().equals("META-INF/MANIFEST.MF")) {
                        Manifest manifest = new Manifest(new ByteArrayInputStream(content));
                        manifest.getMainAttributes().putValue("Hotplug-Module", name);
                        manifest.getMainAttributes().putValue("Hotplug-Version", version);
                        extra.forEach(manifest.getMainAttributes()::putValue);
                        ByteArrayOutputStream written = new ByteArrayOutputStream();
                        manifest.write(written);
                        content = written.toByteArray();
                    }
                    // The source entry's time, not now: equal input gives equal bytes, whatever second it runs in.
                    ZipEntry copy = new ZipEntry(entry.getName());
                    copy.setTime(entry.getTime());
                    out.putNextEntry(copy);
                    out.write(content);
                    out.closeEntry();
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code bytes} beside {@code target} under an ignored name, then renames it into place. */
    static void atomicWrite(Path target, byte[] bytes) throws IOException {
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.write(temp, bytes);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static void awaitVersion(Hotplug hotplug, String name, String version) {
        await(name + " " + version + " serving", () -> hotplug.module(name)
                .filter(m -> m.status() == ModuleStatus.ACTIVE && version.equals(m.version())).isPresent());
    }

    void awaitCount(String prefix, int count) {
        await(count + " x " + prefix, () -> decisions.stream().filter(l -> l.startsWith(prefix)).count() >= count);
    }

    /** Polls {@code condition} every few ms until it holds; fails after 10 s. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
