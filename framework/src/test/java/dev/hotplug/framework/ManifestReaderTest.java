package dev.hotplug.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hotplug.testkit.ModuleJarBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Manifest headers, their OSGi fallbacks, the class path and the refusal of bad jars. */
class ManifestReaderTest {

    /** A @HotplugModule class and an API interface, compiled once. */
    private static Map<String, byte[]> counter;

    @TempDir
    Path dir;

    @BeforeAll
    static void compileOnce() {
        counter = SpecFixtures.classes(ModuleJarBuilder.plain()
                .source("com.acme.counter.Counter", """
                        package com.acme.counter;
                        import dev.hotplug.api.*;
                        @HotplugModule
                        public class Counter implements com.acme.counter.api.CounterApi {
                            @Load void load(ModuleContext context) { }
                            public int next() { return 1; }
                        }
                        """)
                .source("com.acme.counter.api.CounterApi", """
                        package com.acme.counter.api;
                        public interface CounterApi { int next(); }
                        """));
    }

    private static ModuleJarBuilder counterJar(String name, String version) {
        return SpecFixtures.with(ModuleJarBuilder.module(name, version), counter);
    }

    private InvalidModuleException refused(ModuleJarBuilder builder) {
        Path jar = builder.writeTo(dir);
        return assertThrows(InvalidModuleException.class, () -> ManifestReader.read(jar));
    }

    @Test
    void readsHotplugHeaders() throws IOException, NoSuchAlgorithmException {
        Path jar = counterJar("counter", "2.0.0")
                .header("Export-Package", "com.acme.counter.api;version=2.1")
                .header("Import-Package", "com.acme.clock;version=\"[1.0,2)\",com.acme.log;resolution:=optional")
                .writeTo(dir);

        ModuleSpec spec = ManifestReader.read(jar);

        assertEquals("counter", spec.name());
        assertEquals(new ModuleVersion(2, 0, 0, ""), spec.version());
        assertEquals(jar, spec.jar());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(jar))),
                spec.sha256());
        assertEquals("com.acme.counter.Counter", spec.activatorClass());
        assertTrue(spec.reloadable());
        assertEquals(List.of(new PackageExport("com.acme.counter.api", ModuleVersion.parse("2.1.0"))), spec.exports());
        assertEquals(2, spec.imports().size());
        PackageImport clock = spec.imports().get(0);
        assertEquals("com.acme.clock", clock.packageName());
        assertFalse(clock.optional());
        assertTrue(clock.range().includes(ModuleVersion.parse("1.9.9")));
        assertFalse(clock.range().includes(ModuleVersion.parse("2.0.0")));
        assertEquals("com.acme.clock;version=\"[1.0,2)\"", clock.toString());
        PackageImport log = spec.imports().get(1);
        assertTrue(log.optional());
        assertTrue(log.range().isAny());
        assertEquals(List.of("."), spec.classPath());
        assertEquals(Set.of("com.acme.counter", "com.acme.counter.api"), spec.packages());
        assertEquals("counter", spec.headers().get("Hotplug-Module"));
        assertEquals("2.0.0", spec.headers().get("Hotplug-Version"));
        assertEquals(Set.of(LifecyclePhase.LOAD), spec.lifecycle().keySet());
        assertEquals(61, spec.classFileVersion());
    }

    @Test
    void fallsBackToOsgiHeaders() {
        ModuleJarBuilder dep = ModuleJarBuilder.plain().source("com.dep.Util", "package com.dep; public class Util { }");
        Path jar = SpecFixtures.with(ModuleJarBuilder.plain(), counter)
                .header("Bundle-SymbolicName", "counter.osgi;singleton:=true")
                .header("Bundle-Version", "1.2")
                .header("Bundle-ClassPath", ".,lib/dep.jar")
                .nestedJar("lib/dep.jar", dep)
                .writeTo(dir);

        ModuleSpec spec = ManifestReader.read(jar);

        assertEquals("counter.osgi", spec.name());
        assertEquals(ModuleVersion.parse("1.2.0"), spec.version());
        assertEquals(List.of(".", "lib/dep.jar"), spec.classPath());
        assertTrue(spec.packages().contains("com.dep"), spec.packages().toString());
    }

    @Test
    void hotplugHeadersWinOverOsgiOnes() {
        Path jar = counterJar("counter", "3.0.0")
                .header("Bundle-SymbolicName", "other")
                .header("Bundle-Version", "9.9.9")
                .writeTo(dir);

        ModuleSpec spec = ManifestReader.read(jar);

        assertEquals("counter", spec.name());
        assertEquals("3.0.0", spec.version().toString());
    }

    @Test
    void nestedJarAndFolderOnTheClassPathContributeTheirPackages() {
        ModuleJarBuilder dep = ModuleJarBuilder.plain()
                .source("com.dep.Util", "package com.dep; public class Util { }")
                .source("com.dep.inner.More", "package com.dep.inner; public class More { }");
        Map<String, byte[]> folder = SpecFixtures.classes(ModuleJarBuilder.plain()
                .source("com.folder.Inside", "package com.folder; public class Inside { }"));
        ModuleJarBuilder module = counterJar("nested", "1.0.0")
                .header("Hotplug-ClassPath", ".,lib/dep.jar,classes/")
                .header("Export-Package", "com.dep.inner;version=1.0.0")
                .nestedJar("lib/dep.jar", dep);
        folder.forEach((entry, bytes) -> module.resource("classes/" + entry, bytes));

        ModuleSpec spec = ManifestReader.read(module.writeTo(dir));

        assertEquals(List.of(".", "lib/dep.jar", "classes/"), spec.classPath());
        assertEquals(Set.of("com.acme.counter", "com.acme.counter.api", "com.dep", "com.dep.inner", "com.folder"),
                spec.packages());
        assertEquals("com.dep.inner", spec.exports().get(0).packageName());
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "Hotplug-Module     | Counter      | Hotplug-Module: invalid module name \"Counter\"",
        "Hotplug-Module     | -counter     | Hotplug-Module: invalid module name \"-counter\"",
        "Hotplug-Version    | 1.x          | Hotplug-Version: invalid version \"1.x\"",
        "Hotplug-Version    | 1.0.0.bad!   | Hotplug-Version: invalid version \"1.0.0.bad!\"",
        "Hotplug-Version    | 1..0         | Hotplug-Version: invalid version \"1..0\"",
        "Import-Package     | a.b;version=\"[1.0,\" | Import-Package: a.b: invalid version range \"[1.0,\"",
        "Import-Package     | a.b;version=\"[2.0,1.0)\" | Import-Package: a.b: invalid version range \"[2.0,1.0)\"",
        "Import-Package     | a.b;version=\"[1.0,2)  | Import-Package: a.b: invalid version range",
        "Import-Package     | a..b         | Import-Package: \"a..b\" is not a package name",
        "Import-Package     | java.util    | Import-Package: java.util comes from the JDK",
        "Import-Package     | a.b;resolution:=sometimes | Import-Package: a.b: unknown resolution:=sometimes (expected optional or mandatory)",
        "Import-Package     | a.b,a.b      | Import-Package: a.b is listed twice",
        "Export-Package     | com.acme.counter.api;version=one | Export-Package: com.acme.counter.api: invalid version \"one\"",
        "Export-Package     | com.acme.missing | Export-Package: com.acme.missing has no classes in the module",
        "Hotplug-ClassPath  | /opt/lib.jar | Hotplug-ClassPath: entry \"/opt/lib.jar\" must be a path inside the jar",
        "Hotplug-ClassPath  | .,../up.jar  | Hotplug-ClassPath: entry \"../up.jar\" must not contain \"..\"",
        "Hotplug-ClassPath  | .,lib/a/../../x.jar | Hotplug-ClassPath: entry \"lib/a/../../x.jar\" must not contain \"..\"",
        "Hotplug-ClassPath  | .,lib/missing.jar | Hotplug-ClassPath: entry \"lib/missing.jar\" is not in the jar",
        "Hotplug-Activator  | com.acme.Missing | Hotplug-Activator class com.acme.Missing is not in the jar",
        "Hotplug-Activator  | com..Bad     | Hotplug-Activator: \"com..Bad\" is not a class name",
    })
    void refusesMalformedHeader(String header, String value, String expected) {
        InvalidModuleException e = refused(counterJar("counter", "2.0.0").header(header, value));

        boolean nameKnown = !header.equals("Hotplug-Module");
        String prefix = nameKnown ? "Cannot read module counter (counter-2.0.0.jar): "
                : "Cannot read module jar counter-2.0.0.jar: ";
        assertTrue(e.getMessage().startsWith(prefix + expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals(nameKnown ? "counter" : null, e.module());
        assertEquals(nameKnown && !header.equals("Hotplug-Version") ? "2.0.0" : null, e.version());
        assertEquals("counter-2.0.0.jar", e.path().getFileName().toString());
    }

    @Test
    void refusesMissingNameAndVersion() {
        InvalidModuleException noName = refused(counterJar("x", "1.0.0").header("Hotplug-Module", null)
                .fileName("noname.jar"));
        assertEquals("Cannot read module jar noname.jar: no Hotplug-Module or Bundle-SymbolicName header",
                noName.getMessage());

        InvalidModuleException noVersion = refused(counterJar("x", "1.0.0").header("Hotplug-Version", null)
                .fileName("noversion.jar"));
        assertEquals("Cannot read module x (noversion.jar): no Hotplug-Version or Bundle-Version header",
                noVersion.getMessage());
    }

    @Test
    void refusesAJarWithoutLifecycleClass() {
        Map<String, byte[]> plainClass = SpecFixtures.classes(ModuleJarBuilder.plain()
                .source("com.acme.Plain", "package com.acme; public class Plain { }"));

        InvalidModuleException e = refused(SpecFixtures.with(ModuleJarBuilder.module("lonely", "1.0.0"), plainClass));

        assertEquals("Cannot read module lonely (lonely-1.0.0.jar): no Hotplug-Activator header and no "
                + "@HotplugModule class", e.getMessage());
    }

    @Test
    void refusesTwoHotplugModuleClasses() {
        Map<String, byte[]> two = SpecFixtures.classes(ModuleJarBuilder.plain()
                .source("com.acme.One", "package com.acme; @dev.hotplug.api.HotplugModule public class One { }")
                .source("com.acme.Two", "package com.acme; @dev.hotplug.api.HotplugModule public class Two { }"));

        InvalidModuleException e = refused(SpecFixtures.with(ModuleJarBuilder.module("twice", "1.0.0"), two));

        assertTrue(e.getMessage().startsWith("Cannot read module twice (twice-1.0.0.jar): 2 classes are annotated "
                + "@HotplugModule: com.acme.One and com.acme.Two"), e.getMessage());
    }

    @Test
    void activatorHeaderChoosesAmongAnnotatedClasses() {
        Map<String, byte[]> two = SpecFixtures.classes(ModuleJarBuilder.plain()
                .source("com.acme.One", "package com.acme; @dev.hotplug.api.HotplugModule public class One { }")
                .source("com.acme.Two", "package com.acme; public class Two { }"));

        ModuleSpec spec = ManifestReader.read(SpecFixtures.with(ModuleJarBuilder.module("picked", "1.0.0"), two)
                .header("Hotplug-Activator", "com.acme.Two").writeTo(dir));

        assertEquals("com.acme.Two", spec.activatorClass());
        assertTrue(spec.lifecycle().isEmpty());
    }

    @Test
    void refusesATruncatedJar() throws IOException {
        Path whole = counterJar("counter", "2.0.0").writeTo(dir.resolve("whole"));
        byte[] bytes = Files.readAllBytes(whole);
        Path half = Files.write(dir.resolve("counter-2.0.0.jar"), java.util.Arrays.copyOf(bytes, bytes.length / 2));

        InvalidModuleException e = assertThrows(InvalidModuleException.class, () -> ManifestReader.read(half));

        assertTrue(e.getMessage().startsWith("Cannot read module jar counter-2.0.0.jar: not a complete jar ("),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("truncated, corrupt, or still being written"), e.getMessage());
        assertEquals(half, e.path());
        assertNull(e.module());
    }

    @Test
    void refusesAJarWhoseClassEntryIsCorrupt() throws IOException {
        Path jar = counterJar("counter", "2.0.0").writeTo(dir);
        byte[] bytes = Files.readAllBytes(jar);
        byte[] name = "com/acme/counter/Counter.class".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int at = indexOf(bytes, name);
        // Overwrite the start of the entry's compressed data, right after its local header.
        for (int i = at + name.length; i < at + name.length + 24; i++) {
            bytes[i] = (byte) 0xFF;
        }
        Files.write(jar, bytes);

        InvalidModuleException e = assertThrows(InvalidModuleException.class, () -> ManifestReader.read(jar));

        assertTrue(e.getMessage().startsWith("Cannot read module counter (counter-2.0.0.jar): "), e.getMessage());
        assertTrue(e.getMessage().contains("Counter"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        outer:
        for (int i = 0; i <= bytes.length - part.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (bytes[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void refusesAFileThatIsNotAZip() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.jar"), "just some text, not a zip");
        Path empty = Files.write(dir.resolve("empty.jar"), new byte[0]);

        for (Path bad : List.of(text, empty)) {
            InvalidModuleException e = assertThrows(InvalidModuleException.class, () -> ManifestReader.read(bad));
            assertTrue(e.getMessage().startsWith("Cannot read module jar " + bad.getFileName()
                    + ": not a complete jar ("), e.getMessage());
        }
    }

    @Test
    void refusesAMissingFileAndANestedJarThatIsNotAJar() {
        InvalidModuleException missing = assertThrows(InvalidModuleException.class,
                () -> ManifestReader.read(dir.resolve("gone.jar")));
        assertEquals("Cannot read module jar gone.jar: no such file", missing.getMessage());

        InvalidModuleException nested = refused(counterJar("counter", "2.0.0")
                .header("Hotplug-ClassPath", ".,lib/dep.jar").resource("lib/dep.jar", "not a jar"));
        assertEquals("Cannot read module counter (counter-2.0.0.jar): Hotplug-ClassPath: entry \"lib/dep.jar\" is "
                + "not a jar", nested.getMessage());
    }

    @Test
    void refusesAJarWithoutManifest() throws IOException {
        Path jar = dir.resolve("bare.jar");
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            zip.write(1);
            zip.closeEntry();
        }

        InvalidModuleException e = assertThrows(InvalidModuleException.class, () -> ManifestReader.read(jar));

        assertEquals("Cannot read module jar bare.jar: no META-INF/MANIFEST.MF", e.getMessage());
    }
}
