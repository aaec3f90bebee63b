package dev.hotplug.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hotplug.testkit.ModuleJarBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Wiring imports to exports, providers-first order, and the refusals: missing, cycle, refused provider, duplicate. */
class DependencyResolverTest {

    @TempDir
    Path dir;

    /** A spec with exports {@code "pkg=1.0.0"} and imports {@code "pkg;[1.0,2)"} or {@code "pkg;;optional"}. */
    private ModuleSpec spec(String name, String version, List<String> exports, List<String> imports) {
        ModuleSpec.Builder builder = ModuleSpec.builder().name(name).version(ModuleVersion.parse(version))
                .jar(dir.resolve(name + "-" + version + ".jar")).sha256("0".repeat(64))
                .activatorClass("com.acme." + name.replace('-', '_') + ".Main");
        for (String export : exports) {
            String[] parts = export.split("=");
            builder.export(new PackageExport(parts[0],
                    parts.length > 1 ? ModuleVersion.parse(parts[1]) : ModuleVersion.ZERO));
        }
        for (String imported : imports) {
            String[] parts = imported.split(";", -1);
            VersionRange range = parts.length > 1 && !parts[1].isEmpty() ? VersionRange.parse(parts[1]) : VersionRange.ANY;
            builder.importPackage(new PackageImport(parts[0], range, parts.length > 2 && parts[2].equals("optional")));
        }
        return builder.build();
    }

    private static List<String> names(List<ModuleSpec> specs) {
        List<String> names = new ArrayList<>();
        specs.forEach(spec -> names.add(spec.name()));
        return names;
    }

    @Test
    void ordersAChainProvidersFirst() {
        ModuleSpec c = spec("c", "1.0.0", List.of(), List.of("p.b;[1.0,2)"));
        ModuleSpec b = spec("b", "1.0.0", List.of("p.b=1.0.0"), List.of("p.a"));
        ModuleSpec a = spec("a", "1.0.0", List.of("p.a=1.0.0"), List.of());

        DependencyResolver.Resolution resolution = DependencyResolver.resolve(List.of(c, b, a), List.of());

        assertEquals(List.of("a", "b", "c"), names(resolution.order()));
        assertEquals(Map.of(), resolution.refused());
        assertEquals(Map.of("a", Map.of(), "b", Map.of("p.a", "a"), "c", Map.of("p.b", "b")), resolution.wiring());
    }

    @Test
    void ordersADiamondProvidersFirstAndTiesByName() {
        ModuleSpec top = spec("a-top", "1.0.0", List.of(), List.of("p.left", "p.right"));
        ModuleSpec left = spec("left", "1.0.0", List.of("p.left"), List.of("p.base"));
        ModuleSpec right = spec("right", "1.0.0", List.of("p.right"), List.of("p.base"));
        ModuleSpec base = spec("z-base", "1.0.0", List.of("p.base"), List.of());
        ModuleSpec loner = spec("b-loner", "1.0.0", List.of(), List.of());

        DependencyResolver.Resolution resolution =
                DependencyResolver.resolve(List.of(top, right, left, base, loner), List.of());

        assertEquals(List.of("b-loner", "z-base", "left", "right", "a-top"), names(resolution.order()));
        assertEquals(Map.of("p.left", "left", "p.right", "right"), resolution.wiring().get("a-top"));
    }

    @Test
    void refusesAnImportNobodyExportsInRangeNamingTheExporters() {
        ModuleSpec counter = spec("counter", "2.1.0", List.of("com.acme.counter.api=2.1.0"), List.of());
        ModuleSpec other = spec("other", "1.0.0", List.of("com.acme.counter.api=3.0.0"), List.of());
        ModuleSpec greeter = spec("greeter", "1.0.0", List.of(), List.of("com.acme.counter.api;[1.0,2)"));
        ModuleSpec orphan = spec("orphan", "1.0.0", List.of(), List.of("com.acme.nowhere"));

        DependencyResolver.Resolution resolution =
                DependencyResolver.resolve(List.of(greeter, counter, other, orphan), List.of());

        assertEquals(List.of("counter", "other"), names(resolution.order()));
        assertEquals("Cannot resolve module greeter (greeter-1.0.0.jar): Import-Package com.acme.counter.api;"
                + "version=\"[1.0,2)\" is exported by no module (other exports 3.0.0, counter exports 2.1.0)",
                resolution.refused().get("greeter"));
        assertEquals("Cannot resolve module orphan (orphan-1.0.0.jar): Import-Package com.acme.nowhere is exported "
                + "by no module", resolution.refused().get("orphan"));
    }

    @Test
    void refusesFromRealJars() {
        Map<String, byte[]> classes = SpecFixtures.classes(ModuleJarBuilder.plain()
                .source("com.acme.counter.Counter", "package com.acme.counter; @dev.hotplug.api.HotplugModule "
                        + "public class Counter implements com.acme.counter.api.Api { }")
                .source("com.acme.counter.api.Api", "package com.acme.counter.api; public interface Api { }")
                .source("com.acme.greeter.Greeter", "package com.acme.greeter; @dev.hotplug.api.HotplugModule "
                        + "public class Greeter { com.acme.counter.api.Api api; }"));
        ModuleJarBuilder counter = ModuleJarBuilder.module("counter", "2.1.0")
                .header("Export-Package", "com.acme.counter.api;version=2.1.0");
        ModuleJarBuilder greeter = ModuleJarBuilder.module("greeter", "1.0.0")
                .header("Import-Package", "com.acme.counter.api;version=\"[1.0,2)\"");
        classes.forEach((entry, bytes) -> (entry.startsWith("com/acme/counter/") ? counter : greeter)
                .resource(entry, bytes));

        DependencyResolver.Resolution resolution = DependencyResolver.resolve(
                List.of(ManifestReader.read(greeter.writeTo(dir)), ManifestReader.read(counter.writeTo(dir))), List.of());

        assertEquals(List.of("counter"), names(resolution.order()));
        assertEquals(Map.of("greeter", "Cannot resolve module greeter (greeter-1.0.0.jar): Import-Package "
                + "com.acme.counter.api;version=\"[1.0,2)\" is exported by no module (counter exports 2.1.0)"),
                resolution.refused());
    }

    @Test
    void refusesACycleNamingItAndTheModulesBuiltOnIt() {
        ModuleSpec a = spec("a", "1.0.0", List.of("p.a"), List.of("p.b"));
        ModuleSpec b = spec("b", "1.0.0", List.of("p.b"), List.of("p.a"));
        ModuleSpec user = spec("user", "1.0.0", List.of(), List.of("p.a"));
        ModuleSpec x = spec("x", "1.0.0", List.of("p.x"), List.of("p.y"));
        ModuleSpec y = spec("y", "1.0.0", List.of("p.y"), List.of("p.z"));
        ModuleSpec z = spec("z", "1.0.0", List.of("p.z"), List.of("p.x"));
        ModuleSpec free = spec("free", "1.0.0", List.of(), List.of());

        DependencyResolver.Resolution resolution =
                DependencyResolver.resolve(List.of(user, z, b, free, x, a, y), List.of());

        assertEquals(List.of("free"), names(resolution.order()));
        assertEquals("Cannot resolve module a (a-1.0.0.jar): dependency cycle a -> b -> a", resolution.refused().get("a"));
        assertEquals("Cannot resolve module b (b-1.0.0.jar): dependency cycle a -> b -> a", resolution.refused().get("b"));
        for (String member : List.of("x", "y", "z")) {
            assertEquals("Cannot resolve module " + member + " (" + member + "-1.0.0.jar): dependency cycle "
                    + "x -> y -> z -> x", resolution.refused().get(member));
        }
        assertEquals("Cannot resolve module user (user-1.0.0.jar): Import-Package p.a is exported only by refused "
                + "module a", resolution.refused().get("user"));
        assertEquals(Set.of("free"), resolution.wiring().keySet());
    }

    @Test
    void refusesDependentsOfARefusedModuleButRewiresWhenAnotherProviderFits() {
        ModuleSpec root = spec("root", "1.0.0", List.of("p.root=1.0.0"), List.of("p.missing"));
        ModuleSpec mid = spec("mid", "1.0.0", List.of("p.mid"), List.of("p.root"));
        ModuleSpec leaf = spec("leaf", "1.0.0", List.of(), List.of("p.mid"));
        ModuleSpec fallback = spec("fallback", "1.0.0", List.of("p.alt=1.0.0"), List.of());
        ModuleSpec alt = spec("alt", "1.0.0", List.of("p.alt=2.0.0"), List.of("p.missing"));
        ModuleSpec flexible = spec("flexible", "1.0.0", List.of(), List.of("p.alt;[1.0,3)"));

        DependencyResolver.Resolution resolution =
                DependencyResolver.resolve(List.of(leaf, mid, root, fallback, alt, flexible), List.of());

        assertEquals(List.of("fallback", "flexible"), names(resolution.order()));
        assertEquals(Map.of("p.alt", "fallback"), resolution.wiring().get("flexible"));
        assertEquals(Set.of("alt", "leaf", "mid", "root"), resolution.refused().keySet());
        assertTrue(resolution.refused().get("mid").endsWith("Import-Package p.root is exported only by refused module root"),
                resolution.refused().get("mid"));
        assertTrue(resolution.refused().get("leaf").endsWith("Import-Package p.mid is exported only by refused module mid"),
                resolution.refused().get("leaf"));
    }

    @Test
    void higherVersionOfADuplicateNameWins() {
        ModuleSpec old = spec("counter", "1.0.0", List.of("p.c=1.0.0"), List.of());
        ModuleSpec newer = spec("counter", "2.0.0", List.of("p.c=2.0.0"), List.of());
        ModuleSpec user = spec("user", "1.0.0", List.of(), List.of("p.c;[1.0,2)"));

        DependencyResolver.Resolution resolution = DependencyResolver.resolve(List.of(old, newer), List.of());

        assertEquals(List.of(newer), resolution.order());
        assertEquals(Map.of(old.jar(), "Cannot start module counter 1.0.0 (counter-1.0.0.jar): version 2.0.0 from "
                + "counter-2.0.0.jar runs instead"), resolution.superseded());
        assertEquals(Map.of(), resolution.refused());

        DependencyResolver.Resolution withUser = DependencyResolver.resolve(List.of(newer, user, old), List.of());
        assertTrue(withUser.refused().get("user").contains("is exported by no module (counter exports 2.0.0)"),
                withUser.refused().toString());
    }

    @Test
    void picksTheHighestVersionInRangeAndPrefersItsOwnExport() {
        ModuleSpec low = spec("low", "1.0.0", List.of("p.api=1.0.0"), List.of());
        ModuleSpec high = spec("high", "1.0.0", List.of("p.api=1.5.0"), List.of());
        ModuleSpec wide = spec("wide", "1.0.0", List.of(), List.of("p.api;[1.0,2)"));
        ModuleSpec capped = spec("capped", "1.0.0", List.of(), List.of("p.api;[1.0,1.6)"));
        ModuleSpec narrow = spec("narrow", "1.0.0", List.of(), List.of("p.api;[1.0,1.5)"));
        ModuleSpec self = spec("self", "1.0.0", List.of("p.api=1.6.0"), List.of("p.api;[1.0,2)"));

        DependencyResolver.Resolution resolution =
                DependencyResolver.resolve(List.of(wide, capped, narrow, self, low, high), List.of());

        assertEquals(Map.of("p.api", "self"), resolution.wiring().get("wide"));
        assertEquals(Map.of("p.api", "high"), resolution.wiring().get("capped"));
        assertEquals(Map.of("p.api", "low"), resolution.wiring().get("narrow"));
        assertEquals(Map.of("p.api", "self"), resolution.wiring().get("self"));
        assertEquals(6, resolution.order().size());
    }

    @Test
    void wiresToRunningModulesHostPackagesAndLeavesMissingOptionalImports() {
        ModuleSpec running = spec("clock", "1.0.0", List.of("p.clock=1.3.0"), List.of());
        ModuleSpec replaced = spec("store", "1.0.0", List.of("p.store=1.0.0"), List.of());
        ModuleSpec newStore = spec("store", "2.0.0", List.of("p.store=2.0.0"), List.of());
        ModuleSpec app = spec("app", "1.0.0", List.of(),
                List.of("p.clock;[1.0,2)", "dev.hotplug.api", "com.fasterxml.jackson.databind", "p.log;;optional",
                        "p.store;[2.0,3)"));

        DependencyResolver.Resolution resolution = DependencyResolver.resolve(List.of(app, newStore),
                List.of(running, replaced), p -> p.equals("dev.hotplug.api") || p.startsWith("com.fasterxml.jackson."));

        assertEquals(List.of("store", "app"), names(resolution.order()));
        assertEquals(Map.of("p.clock", "clock", "p.store", "store"), resolution.wiring().get("app"));

        ModuleSpec oldUser = spec("old-user", "1.0.0", List.of(), List.of("p.store;[1.0,2)"));
        DependencyResolver.Resolution replacing =
                DependencyResolver.resolve(List.of(newStore, oldUser), List.of(replaced));
        assertTrue(replacing.refused().get("old-user").endsWith("is exported by no module (store exports 2.0.0)"),
                replacing.refused().toString());
    }

    @Test
    void resolvesTwoHundredModules() {
        List<ModuleSpec> specs = new ArrayList<>();
        Map<String, List<String>> providers = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            List<String> imports = new ArrayList<>();
            List<String> from = new ArrayList<>();
            for (int j : new int[] {i - 1, i / 2, i / 3 - 5}) {
                if (j >= 0 && j < i && !from.contains(name(j))) {
                    imports.add("p.m" + j + ".api;[1.0," + (j % 3 + 2) + ")");
                    from.add(name(j));
                }
            }
            imports.add("p.optional.m" + i + ";;optional");
            providers.put(name(i), from);
            specs.add(spec(name(i), "1.0." + i, List.of("p.m" + i + ".api=1." + i % 7 + ".0"), imports));
        }
        Collections.shuffle(specs, new Random(42));

        DependencyResolver.Resolution resolution = DependencyResolver.resolve(specs, List.of());

        assertEquals(Map.of(), resolution.refused());
        assertEquals(200, resolution.order().size());
        Map<String, Integer> position = new TreeMap<>();
        for (int i = 0; i < 200; i++) {
            position.put(resolution.order().get(i).name(), i);
        }
        providers.forEach((importer, from) -> {
            for (String provider : from) {
                assertTrue(position.get(provider) < position.get(importer), provider + " before " + importer);
                assertTrue(resolution.wiring().get(importer).containsValue(provider), importer + " wired to " + provider);
            }
        });
    }

    private static String name(int i) {
        return String.format("m%03d", i);
    }
}
