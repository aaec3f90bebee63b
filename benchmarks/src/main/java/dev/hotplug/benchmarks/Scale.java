package dev.hotplug.benchmarks;

import dev.hotplug.framework.Hotplug;
import dev.hotplug.framework.ModuleInfo;
import dev.hotplug.testkit.ModuleJarBuilder;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Scale harness: {@code n} modules in a binary tree of imports (module i imports the API package module (i-1)/2
 * exports, and calls into it from {@code @Load}); the time to build a framework and start them all, then reloads of a
 * leaf and of an inner module whose two importers reload with it.
 */
final class Scale {

    /**
     * @param modules modules started
     * @param startMillis build + start of all modules, one per fresh framework, sorted
     * @param leafMillis reloads of a leaf module, sorted
     * @param innerMillis reloads of an inner module with two importers (three modules swap), sorted
     */
    record Result(int modules, double[] startMillis, double[] leafMillis, double[] innerMillis) {
    }

    private Scale() {
    }

    static Result run(int n, int frameworks, int reloadsEach) {
        Path dir = Fixtures.tempFolder("hotplug-bench-scale");
        try {
            Map<Integer, Map<String, byte[]>> classes = compile(n);
            Path modules = Files.createDirectories(dir.resolve("modules"));
            for (int i = 0; i < n; i++) {
                Files.write(modules.resolve(name(i) + ".jar"), jar(classes, i, "1.0.0"));
            }
            int leaf = n - 1;
            int inner = (n - 3) / 2;
            Path staged = Files.createDirectories(dir.resolve("staged"));
            Map<String, Path> versions = new LinkedHashMap<>();
            for (int i : new int[] {leaf, inner}) {
                for (String version : new String[] {"1.0.0", "1.0.1"}) {
                    versions.put(i + "/" + version, Files.write(staged.resolve(name(i) + "-" + version + ".jar"),
                            jar(classes, i, version)));
                }
            }
            double[] start = new double[frameworks];
            List<Double> leafMillis = new ArrayList<>();
            List<Double> innerMillis = new ArrayList<>();
            for (int f = 0; f < frameworks; f++) {
                long begin = System.nanoTime();
                try (Hotplug hotplug = Hotplug.builder().modulesFolder(modules).stateFolder(dir.resolve("state-" + f))
                        .build()) {
                    hotplug.start();
                    start[f] = (System.nanoTime() - begin) / 1e6;
                    List<ModuleInfo> up = hotplug.modules().stream().filter(m -> m.generation() > 0).toList();
                    if (up.size() != n) {
                        throw new IllegalStateException("Cannot measure scale: " + up.size() + " of " + n
                                + " modules started");
                    }
                    for (int r = 0; r < reloadsEach; r++) {
                        String version = r % 2 == 0 ? "1.0.1" : "1.0.0";
                        leafMillis.add(reload(hotplug, leaf, versions.get(leaf + "/" + version), version));
                        innerMillis.add(reload(hotplug, inner, versions.get(inner + "/" + version), version));
                    }
                }
            }
            Arrays.sort(start);
            return new Result(n, start, sorted(leafMillis), sorted(innerMillis));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot measure scale: " + e.getMessage(), e);
        } finally {
            Fixtures.deleteTree(dir);
        }
    }

    private static double reload(Hotplug hotplug, int module, Path jar, String version) {
        long begin = System.nanoTime();
        ModuleInfo info = hotplug.deploy(jar);
        double millis = (System.nanoTime() - begin) / 1e6;
        Reloads.expect(version, info.version());
        return millis;
    }

    private static double[] sorted(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    static String name(int i) {
        return String.format("scale-m%03d", i);
    }

    private static String pkg(int i) {
        return String.format("bench.scale.m%03d", i);
    }

    /** Compiles every module's two classes in one javac run; returns each module's class entries by name. */
    private static Map<Integer, Map<String, byte[]>> compile(int n) throws IOException {
        ModuleJarBuilder all = ModuleJarBuilder.plain();
        for (int i = 0; i < n; i++) {
            String p = pkg(i);
            String id = String.format("%03d", i);
            all.source(p + ".api.Node" + id, "package " + p + ".api;\npublic interface Node" + id + " {\n"
                    + "    static int depth() { return " + depth(i) + "; }\n}\n");
            String call = i == 0 ? "0" : pkg((i - 1) / 2) + ".api.Node" + String.format("%03d", (i - 1) / 2) + ".depth()";
            all.source(p + ".Mod" + id, "package " + p + ";\nimport dev.hotplug.api.*;\n@HotplugModule\n"
                    + "public class Mod" + id + " {\n    private int depth;\n"
                    + "    @Load\n    void load(ModuleContext context) {\n        depth = " + call + " + 1;\n    }\n"
                    + "    int depth() { return depth; }\n}\n");
        }
        Map<Integer, Map<String, byte[]>> split = new TreeMap<>();
        String prefix = "bench/scale/m";
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(all.toBytes()))) {
            for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                String entryName = entry.getName();
                if (!entry.isDirectory() && entryName.startsWith(prefix)) {
                    int i = Integer.parseInt(entryName.substring(prefix.length(), prefix.length() + 3));
                    split.computeIfAbsent(i, k -> new TreeMap<>()).put(entryName, in.readAllBytes());
                }
            }
        }
        return split;
    }

    private static int depth(int i) {
        return 31 - Integer.numberOfLeadingZeros(i + 1);
    }

    private static byte[] jar(Map<Integer, Map<String, byte[]>> classes, int i, String version) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.putValue("Manifest-Version", "1.0");
        main.putValue("Hotplug-Module", name(i));
        main.putValue("Hotplug-Version", version);
        main.putValue("Hotplug-Activator", pkg(i) + ".Mod" + String.format("%03d", i));
        main.putValue("Export-Package", pkg(i) + ".api;version=1.0.0");
        if (i > 0) {
            main.putValue("Import-Package", pkg((i - 1) / 2) + ".api;version=\"[1.0,2)\"");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
            for (Map.Entry<String, byte[]> file : classes.get(i).entrySet()) {
                JarEntry entry = new JarEntry(file.getKey());
                entry.setTime(0L);
                out.putNextEntry(entry);
                out.write(file.getValue());
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
