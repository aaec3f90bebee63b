package dev.hotplug.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hotplug.api.LoadReason;
import dev.hotplug.api.ModuleContext;
import dev.hotplug.testkit.ModuleJarBuilder;

import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a module sees: JDK, the API, host-shared packages, imports, its own class path — nothing else. */
class VisibilityTest {

    @TempDir
    Path dir;

    @Test
    void unexportedPackageIsInvisibleAndAnImportedOneIsTheExportersClass() throws Exception {
        Path jarA = ModuleJarBuilder.module("alpha", "1.0.0")
                .source("com.acme.a.Api", "package com.acme.a; public class Api {}")
                .source("com.acme.a.internal.Secret", "package com.acme.a.internal; public class Secret {}")
                .resource("com/acme/a/internal/secret.txt", "hush")
                .writeTo(dir.resolve("a"));
        Path jarB = ModuleJarBuilder.module("beta", "1.0.0")
                .compileClassPath(jarA)
                .source("com.acme.b.User", """
                        package com.acme.b;
                        public class User implements java.util.function.Supplier<Object> {
                            public Object get() { return new com.acme.a.internal.Secret(); }
                        }
                        """)
                .writeTo(dir.resolve("b"));
        try (ModuleClassLoader a = new ModuleClassLoader(Fixtures.spec("alpha", 1, Fixtures.copyForGeneration(jarA, dir, 1)).build())) {
            Map<String, ClassLoader> onlyApi = Map.of("com.acme.a", a);
            try (ModuleClassLoader b = new ModuleClassLoader(Fixtures.spec("beta", 1, Fixtures.copyForGeneration(jarB, dir, 1))
                    .imports(onlyApi::get).build())) {
                ClassNotFoundException hidden = assertThrows(ClassNotFoundException.class,
                        () -> b.loadClass("com.acme.a.internal.Secret"));
                assertTrue(hidden.getMessage().contains("beta"), hidden.getMessage());
                assertTrue(hidden.getMessage().contains("com.acme.a.internal"), hidden.getMessage());
                NoClassDefFoundError linked = assertThrows(NoClassDefFoundError.class,
                        () -> Fixtures.newInstance(b, "com.acme.b.User", Supplier.class).get());
                assertTrue(String.valueOf(linked.getCause()).contains("com.acme.a.internal"), String.valueOf(linked.getCause()));
                assertEquals(null, b.getResource("com/acme/a/internal/secret.txt"));
                assertSame(a.loadClass("com.acme.a.Api"), b.loadClass("com.acme.a.Api"), "the exported package is A's");
                ClassNotFoundException missing = assertThrows(ClassNotFoundException.class, () -> b.loadClass("com.acme.a.Missing"));
                assertTrue(missing.getMessage().contains("beta") && missing.getMessage().contains("imported from")
                        && missing.getMessage().contains("alpha"), missing.getMessage());
            }
            Map<String, ClassLoader> both = Map.of("com.acme.a", a, "com.acme.a.internal", a);
            try (ModuleClassLoader b2 = new ModuleClassLoader(Fixtures.spec("beta", 2, Fixtures.copyForGeneration(jarB, dir, 2))
                    .imports(both::get).build())) {
                Class<?> secret = b2.loadClass("com.acme.a.internal.Secret");
                assertSame(a.loadClass("com.acme.a.internal.Secret"), secret);
                assertSame(a, secret.getClassLoader());
                assertSame(secret, Fixtures.newInstance(b2, "com.acme.b.User", Supplier.class).get().getClass());
                URL resource = b2.getResource("com/acme/a/internal/secret.txt");
                assertNotNull(resource);
                try (InputStream in = resource.openStream()) {
                    assertEquals("hush", new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
    }

    @Test
    void hostSharedPackagesAreVisibleExactOrByPrefixAndNothingElseOfTheHost() throws Exception {
        Path hostJar = ModuleJarBuilder.plain()
                .source("host.shared.Greeting", "package host.shared; public class Greeting {}")
                .source("host.shared.inner.NotShared", "package host.shared.inner; public class NotShared {}")
                .source("host.tree.Root", "package host.tree; public class Root {}")
                .source("host.tree.leaf.Leaf", "package host.tree.leaf; public class Leaf {}")
                .source("host.hidden.Secret", "package host.hidden; public class Secret {}")
                .fileName("host.jar")
                .writeTo(dir.resolve("host"));
        Path jar = ModuleJarBuilder.module("guest", "1.0.0")
                .compileClassPath(hostJar)
                .source("com.acme.UsesHost", """
                        package com.acme;
                        public class UsesHost implements java.util.function.Supplier<Object> {
                            public Object get() { return new host.shared.Greeting(); }
                        }
                        """)
                .writeTo(dir);
        try (URLClassLoader host = new URLClassLoader(new URL[] {hostJar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
             ModuleClassLoader loader = new ModuleClassLoader(Fixtures.spec("guest", 1, Fixtures.copyForGeneration(jar, dir, 1))
                     .share(host, Set.of("host.shared", "host.tree.*")).build())) {
            assertSame(host.loadClass("host.shared.Greeting"), loader.loadClass("host.shared.Greeting"));
            assertSame(host.loadClass("host.tree.Root"), loader.loadClass("host.tree.Root"));
            assertSame(host.loadClass("host.tree.leaf.Leaf"), loader.loadClass("host.tree.leaf.Leaf"));
            assertSame(host.loadClass("host.shared.Greeting"),
                    Fixtures.newInstance(loader, "com.acme.UsesHost", Supplier.class).get().getClass());
            assertNotVisible(loader, "host.hidden.Secret", "guest", "host.hidden");
            assertNotVisible(loader, "host.shared.inner.NotShared", "guest", "host.shared.inner");
            assertNotVisible(loader, "org.junit.jupiter.api.Test", "guest", "org.junit.jupiter.api");
            assertNotVisible(loader, ModuleClassLoader.class.getName(), "guest", "dev.hotplug.isolation");
        }
    }

    @Test
    void hostClassesAreInvisibleWithoutShares() throws Exception {
        Path jar = ModuleJarBuilder.module("plain", "1.0.0").source("com.acme.A", "package com.acme; public class A {}").writeTo(dir);
        try (ModuleClassLoader loader = new ModuleClassLoader(Fixtures.spec("plain", 1, Fixtures.copyForGeneration(jar, dir, 1)).build())) {
            assertNotVisible(loader, Test.class.getName(), "plain", "org.junit.jupiter.api");
            assertNotVisible(loader, ModuleJarBuilder.class.getName(), "plain", "dev.hotplug.testkit");
            assertNotVisible(loader, "Unpackaged", "plain", "(default)");
            assertEquals(null, loader.getResource(Test.class.getName().replace('.', '/') + ".class"));
        }
    }

    @Test
    void apiAndJdkAreVisibleAsTheHostsOwnClasses() throws Exception {
        Path jar = ModuleJarBuilder.module("user", "1.0.0")
                .source("com.acme.UsesApi", """
                        package com.acme;
                        public class UsesApi implements java.util.function.Supplier<Object> {
                            public Object get() { return dev.hotplug.api.LoadReason.RELOAD; }
                        }
                        """)
                .writeTo(dir);
        try (ModuleClassLoader loader = new ModuleClassLoader(Fixtures.spec("user", 1, Fixtures.copyForGeneration(jar, dir, 1)).build())) {
            assertSame(ModuleContext.class, loader.loadClass(ModuleContext.class.getName()));
            assertSame(LoadReason.RELOAD, Fixtures.newInstance(loader, "com.acme.UsesApi", Supplier.class).get());
            assertSame(java.util.List.class, loader.loadClass("java.util.List"));
            assertSame(java.sql.Connection.class, loader.loadClass("java.sql.Connection"));
            assertSame(javax.xml.parsers.DocumentBuilderFactory.class, loader.loadClass("javax.xml.parsers.DocumentBuilderFactory"));
            assertSame(javax.sql.DataSource.class, loader.loadClass("javax.sql.DataSource"));
            assertNotNull(loader.getResource("java/lang/Object.class"));
        }
    }

    @Test
    void apiAndSharedPackagesStayTheHostsEvenWhenTheJarBundlesACopy() throws Exception {
        byte[] apiClass;
        try (InputStream in = Fixtures.API_LOADER.getResourceAsStream("dev/hotplug/api/LoadReason.class")) {
            apiClass = in.readAllBytes();
        }
        Path hostJar = ModuleJarBuilder.plain().source("host.shared.Greeting", "package host.shared; public class Greeting {}")
                .fileName("host.jar").writeTo(dir.resolve("host"));
        ModuleJarBuilder bundledHost = ModuleJarBuilder.plain()
                .source("host.shared.Greeting", "package host.shared; public class Greeting {}");
        Path jar = ModuleJarBuilder.module("fat", "1.0.0")
                .source("com.acme.A", "package com.acme; public class A {}")
                .resource("dev/hotplug/api/LoadReason.class", apiClass)
                .nestedJar("lib/host.jar", bundledHost)
                .writeTo(dir);
        try (URLClassLoader host = new URLClassLoader(new URL[] {hostJar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
             ModuleClassLoader loader = new ModuleClassLoader(Fixtures.spec("fat", 1, Fixtures.copyForGeneration(jar, dir, 1))
                     .classPath(java.util.List.of(".", "lib/host.jar")).workDirectory(dir.resolve("work"))
                     .share(host, Set.of("host.shared")).build())) {
            assertSame(LoadReason.class, loader.loadClass(LoadReason.class.getName()),
                    "a module bundling dev.hotplug.api classes must still get the host's");
            assertSame(host.loadClass("host.shared.Greeting"), loader.loadClass("host.shared.Greeting"),
                    "a shared package is the host's even when the module bundles it");
            assertNotVisible(loader, "host.shared.Absent", "fat", "host.shared");
        }
    }

    private static void assertNotVisible(ClassLoader loader, String className, String module, String pkg) {
        ClassNotFoundException e = assertThrows(ClassNotFoundException.class, () -> loader.loadClass(className));
        assertTrue(e.getMessage().contains(module) && e.getMessage().contains(pkg), e.getMessage());
    }
}
