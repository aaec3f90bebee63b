package dev.hotplug.benchmarks;

import dev.hotplug.benchmarks.fixture.Calc;
import dev.hotplug.framework.Hotplug;
import dev.hotplug.framework.HotplugBuilder;
import dev.hotplug.testkit.ModuleJarBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The jars benchmarks load, compiled at setup with {@link ModuleJarBuilder}: the same small calculator as a Hotplug
 * module (four classes, ~1 KB of state), as a Felix bundle (three classes) and as a plain jar for the bare-JVM floor.
 */
final class Fixtures {

    /** The Hotplug module's name. */
    static final String CALC = "bench-calc";

    private static final String MIXER = """
            package bench.calc;

            public final class Mixer {
                private Mixer() { }

                public static long mix(long x) {
                    return x * 31 + 7;
                }
            }
            """;

    private static final String IMPL = """
            package bench.calc;

            import dev.hotplug.benchmarks.fixture.Calc;

            public final class CalcImpl implements Calc {
                private final String version;

                public CalcImpl(String version) {
                    this.version = version;
                }

                @Override
                public long apply(long x) {
                    return Mixer.mix(x);
                }

                @Override
                public String version() {
                    return version;
                }
            }
            """;

    private static final String MODULE = """
            package bench.calc;

            import dev.hotplug.api.*;
            import dev.hotplug.benchmarks.fixture.Calc;

            @HotplugModule
            public class CalcModule {
                private Saved state;

                @Load
                void load(ModuleContext context, Saved saved, LoadReason reason) {
                    state = saved == null ? new Saved(1, Saved.payload(1000)) : new Saved(saved.loads() + 1, saved.payload());
                    context.register(Calc.class, new CalcImpl(context.version()));
                }

                @Unload
                Saved unload() {
                    return state;
                }
            }
            """;

    private static final String SAVED = """
            package bench.calc;

            public record Saved(long loads, String payload) {
                static String payload(int length) {
                    StringBuilder text = new StringBuilder(length);
                    for (int i = 0; i < length; i++) {
                        text.append((char) ('a' + i % 26));
                    }
                    return text.toString();
                }
            }
            """;

    private static final String ACTIVATOR = """
            package bench.calc;

            import dev.hotplug.benchmarks.fixture.Calc;
            import dev.hotplug.benchmarks.fixture.Probe;
            import org.osgi.framework.BundleActivator;
            import org.osgi.framework.BundleContext;

            public class Activator implements BundleActivator {
                @Override
                public void start(BundleContext context) {
                    String version = context.getBundle().getVersion().toString();
                    context.registerService(Calc.class, new CalcImpl(version), null);
                    Probe.started(version);
                }

                @Override
                public void stop(BundleContext context) {
                }
            }
            """;

    private Fixtures() {
    }

    /** What every calculator answers for {@code x}, so a harness can check each call it makes. */
    static long calcAnswer(long x) {
        return x * 31 + 7;
    }

    /**
     * A framework builder with its modules and state folders under {@code dir} and the calculator's interface shared
     * from the host, as every harness runs it.
     */
    static HotplugBuilder calcFramework(Path dir) {
        return Hotplug.builder().modulesFolder(dir.resolve("modules")).stateFolder(dir.resolve("state"))
                .share(Calc.class.getClassLoader(), "dev.hotplug.benchmarks.fixture");
    }

    /** The calculator as a Hotplug module of {@code version}, written as {@code fileName} into {@code dir}. */
    static Path hotplugCalc(String version, Path dir, String fileName) {
        return hotplugCalc(version, dir, fileName, 0);
    }

    /**
     * The calculator module with {@code extra} more small classes in a package below its lifecycle class's, so a
     * module of some size (staging preloads some of them); written as {@code fileName} into {@code dir}.
     */
    static Path hotplugCalc(String version, Path dir, String fileName, int extra) {
        ModuleJarBuilder jar = ModuleJarBuilder.module(CALC, version).compileClassPath(location(Calc.class))
                .source("bench.calc.CalcModule", MODULE).source("bench.calc.Saved", SAVED)
                .source("bench.calc.CalcImpl", IMPL).source("bench.calc.Mixer", MIXER);
        for (int i = 0; i < extra; i++) {
            jar.source("bench.calc.parts.Part" + i, "package bench.calc.parts; public final class Part" + i
                    + " { public int apply(int x) { return x + " + i + "; } }");
        }
        return jar.fileName(fileName).writeTo(dir);
    }

    /** The calculator as an OSGi bundle of {@code version} (no exports), written as {@code fileName} into {@code dir}. */
    static Path felixCalc(String version, Path dir, String fileName) {
        return ModuleJarBuilder.plain().header("Bundle-ManifestVersion", "2")
                .header("Bundle-SymbolicName", "bench.calc").header("Bundle-Version", version)
                .header("Bundle-Activator", "bench.calc.Activator")
                .header("Import-Package", "org.osgi.framework,dev.hotplug.benchmarks.fixture")
                .compileClassPath(location(Calc.class)).compileClassPath(location(org.osgi.framework.Bundle.class))
                .source("bench.calc.Activator", ACTIVATOR).source("bench.calc.CalcImpl", IMPL)
                .source("bench.calc.Mixer", MIXER).fileName(fileName).writeTo(dir);
    }

    /** The calculator as a plain jar (two classes) for the bare-JVM floor; {@code version} only changes a resource. */
    static Path plainCalc(String version, Path dir, String fileName) {
        return ModuleJarBuilder.plain().resource("bench/calc/version.txt", version)
                .compileClassPath(location(Calc.class))
                .source("bench.calc.CalcImpl", IMPL).source("bench.calc.Mixer", MIXER)
                .fileName(fileName).writeTo(dir);
    }

    /** Where {@code type}'s classes are: a jar or a folder. */
    static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("Cannot locate the classes of " + type.getName() + ": " + e, e);
        }
    }

    /** A fresh temporary folder for one benchmark's files. */
    static Path tempFolder(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary folder: " + e.getMessage(), e);
        }
    }

    /** Deletes {@code root} and everything under it; a missing folder is fine. */
    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + root + ": " + e.getMessage(), e);
        }
    }

    /** Copies {@code source} over {@code target} atomically: written beside, then renamed in. */
    static void atomicCopy(Path source, Path target) {
        try {
            Path temp = Files.createTempFile(target.getParent(), ".copy-", ".tmp");
            Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy " + source + " to " + target + ": " + e.getMessage(), e);
        }
    }
}
