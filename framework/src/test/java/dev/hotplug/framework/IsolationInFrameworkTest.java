package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Journal;
import dev.hotplug.testkit.ModuleJarBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SPEC "A module": what a module sees inside the running framework, and how imports are resolved and refused. */
class IsolationInFrameworkTest {

    @TempDir
    Path dir;

    @BeforeEach
    void clear() {
        Journal.clear();
    }

    @Test
    void sameNamedClassesWithStaticsNeverMeetAcrossModulesOrGenerations() {
        Path modules = dir.resolve("modules");
        write(twin("alpha", "1.0.0"), "alpha-1.0.0.jar", modules);
        write(twin("beta", "1.0.0"), "beta-1.0.0.jar", modules);
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            assertEquals(List.of("alpha loads=1 owner=alpha", "beta loads=1 owner=beta"), Journal.lines());

            hotplug.deploy(write(twin("alpha", "2.0.0"), "alpha-2.0.0.jar", dir.resolve("in")));
            assertEquals("alpha loads=1 owner=alpha", Journal.lines().get(3),
                    "a new generation has fresh statics: " + Journal.lines());
        }
        assertTrue(Journal.lines().containsAll(List.of("unload alpha sees owner=alpha", "unload beta sees owner=beta")),
                Journal.lines().toString());
    }

    @Test
    void aPackageThatIsNotExportedIsInvisibleToAnImporter() {
        Path in = dir.resolve("in");
        Path provider = write(module("provider", "com.acme.provider.Life", "", "")
                .header("Export-Package", "com.acme.provider.api")
                .source("com.acme.provider.api.Api", """
                        package com.acme.provider.api;
                        public class Api { public static String hello() { return "hello"; } }
                        """)
                .source("com.acme.provider.internal.Secret", """
                        package com.acme.provider.internal;
                        public class Secret { public static String secret() { return "secret"; } }
                        """), "provider-1.0.0.jar", in);
        Path snoop = write(module("snoop", "com.acme.snoop.Life", """
                Journal.log("snoop saw " + com.acme.provider.api.Api.hello());
                Journal.log("snoop saw " + com.acme.provider.internal.Secret.secret());
                """, "").header("Import-Package", "com.acme.provider.api").compileClassPath(provider),
                "snoop-1.0.0.jar", in);
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            hotplug.deploy(provider);
            ModuleInfo info = hotplug.deploy(snoop);

            assertEquals(ModuleStatus.FAILED, info.status());
            assertOneLine(info.lastError(), "snoop", "NoClassDefFoundError", "com/acme/provider/internal/Secret");
            assertEquals(List.of("provider load", "snoop load", "snoop saw hello"), Journal.lines(),
                    "the exported package is visible");
            assertEquals(ModuleStatus.ACTIVE, hotplug.module("provider").orElseThrow().status());
        }
    }

    @Test
    void providersStartFirstWhateverTheFileOrder() {
        Path modules = dir.resolve("modules");
        write(module("aa-consumer", "com.acme.aa.Life", """
                Journal.log("aa-consumer got " + com.acme.zz.api.Zz.value());
                """, "").header("Import-Package", "com.acme.zz.api;version=\"[1.0,2)\"")
                .compileClassPath(write(zzProvider(), "zz-provider-1.0.0.jar", modules)), "aa-consumer-1.0.0.jar", modules);
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();
            assertEquals(List.of("zz-provider load", "aa-consumer load", "aa-consumer got from zz"), Journal.lines());
            assertEquals(ModuleStatus.ACTIVE, hotplug.module("aa-consumer").orElseThrow().status());
            assertEquals(List.of("com.acme.zz.api;version=1.2.0"), hotplug.module("zz-provider").orElseThrow().exports());
        }
    }

    @Test
    void aCycleAndAMissingImportAreRefusedWhileOtherModulesRun() {
        Path modules = dir.resolve("modules");
        write(module("cyc-a", "com.acme.cyca.Life", "", "").header("Export-Package", "com.acme.cyca")
                .header("Import-Package", "com.acme.cycb"), "cyc-a-1.0.0.jar", modules);
        write(module("cyc-b", "com.acme.cycb.Life", "", "").header("Export-Package", "com.acme.cycb")
                .header("Import-Package", "com.acme.cyca"), "cyc-b-1.0.0.jar", modules);
        write(module("needy", "com.acme.needy.Life", "", "").header("Import-Package", "com.nobody.api"),
                "needy-1.0.0.jar", modules);
        write(module("solo", "com.acme.solo.Life", "", ""), "solo-1.0.0.jar", modules);
        try (Hotplug hotplug = TestModules.hotplug(dir).build()) {
            hotplug.start();

            for (String name : List.of("cyc-a", "cyc-b")) {
                ModuleInfo info = hotplug.module(name).orElseThrow();
                assertEquals(ModuleStatus.FAILED, info.status());
                assertOneLine(info.lastError(), name, "cycle", "cyc-a", "cyc-b");
            }
            ModuleInfo needy = hotplug.module("needy").orElseThrow();
            assertEquals(ModuleStatus.FAILED, needy.status());
            assertOneLine(needy.lastError(), "needy", "com.nobody.api");
            assertEquals(ModuleStatus.ACTIVE, hotplug.module("solo").orElseThrow().status());
            assertEquals(List.of("solo load"), Journal.lines(), "no code of a refused module ran");

            ModuleInfo later = hotplug.deploy(write(module("later", "com.acme.later.Life", "", "")
                    .header("Import-Package", "com.nobody.else"), "later-1.0.0.jar", dir.resolve("in")));
            assertEquals(ModuleStatus.FAILED, later.status());
            assertOneLine(later.lastError(), "later", "com.nobody.else");
            assertEquals(ModuleStatus.ACTIVE, hotplug.module("solo").orElseThrow().status());
        }
    }

    static void assertOneLine(String error, String... fragments) {
        assertNotNull(error, "lastError");
        assertFalse(error.contains("\n"), "one line: " + error);
        for (String fragment : fragments) {
            assertTrue(error.contains(fragment), "'" + fragment + "' in: " + error);
        }
    }

    private Path write(ModuleJarBuilder jar, String fileName, Path folder) {
        return TestModules.write(jar, fileName, dir + "|" + fileName + "|" + folder, folder);
    }

    private static ModuleJarBuilder zzProvider() {
        return module("zz-provider", "com.acme.zz.Life", "", "").header("Export-Package", "com.acme.zz.api;version=1.2")
                .source("com.acme.zz.api.Zz", """
                        package com.acme.zz.api;
                        public class Zz { public static String value() { return "from zz"; } }
                        """);
    }

    /** A module whose lifecycle class {@code className} journals "NAME load", then runs {@code load}. */
    static ModuleJarBuilder module(String name, String className, String load, String members) {
        int dot = className.lastIndexOf('.');
        return TestModules.module(name, "1.0.0", className, """
                package %s;

                import dev.hotplug.api.*;
                import dev.hotplug.framework.fixture.Journal;

                @HotplugModule
                public class %s {
                    @Load
                    void load(ModuleContext context) {
                        Journal.log("%s load");
                        %s
                    }
                    %s
                }
                """.formatted(className.substring(0, dot), className.substring(dot + 1), name, load, members));
    }

    /** Modules with the same class names, each holding statics. */
    private static ModuleJarBuilder twin(String name, String version) {
        return TestModules.module(name, version, "com.acme.shared.Holder", """
                package com.acme.shared;
                public class Holder {
                    public static int loads;
                    public static String owner;
                }
                """, "com.acme.shared.Module", """
                package com.acme.shared;

                import dev.hotplug.api.*;
                import dev.hotplug.framework.fixture.Journal;

                @HotplugModule
                public class Module {
                    @Load
                    void load(ModuleContext context) {
                        Holder.loads++;
                        if (Holder.owner == null) {
                            Holder.owner = context.name();
                        }
                        Journal.log(context.name() + " loads=" + Holder.loads + " owner=" + Holder.owner);
                    }

                    @Unload
                    void unload(ModuleContext context) {
                        Journal.log("unload " + context.name() + " sees owner=" + Holder.owner);
                    }
                }
                """);
    }
}
