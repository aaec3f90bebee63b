package dev.hotplug.framework;

import dev.hotplug.isolation.JarEntries;
import org.objectweb.asm.ClassReader;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The ABI canary: at staging, before any code of a new version runs, reads its class files with ASM (never loading
 * them) and refuses it when it no longer implements a service interface consumers hold, or uses a
 * {@code dev.hotplug.api} member or type this framework lacks. Lifecycle shapes and class file versions were checked
 * already when the jar was read. Blocks on file I/O; stateless and thread-safe.
 */
final class Preflight {

    private static final int FLAGS = ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES;
    private static final Set<String> PLATFORM_PREFIXES = Set.of("java/", "javax/", "jdk/", "sun/", "com/sun/");

    private Preflight() {
    }

    /**
     * Checks {@code spec}, the next version of {@code record}; {@code held} are the service interfaces (binary names)
     * the serving version provides and consumers hold; {@code outside} gives the class file of a class outside the
     * jar (internal name) the module can see, or {@code null}.
     *
     * @throws InvalidModuleException "Cannot stage module NAME VERSION (FILE): CAUSE" when the new version is refused
     */
    static void check(ModuleRecord record, ModuleSpec spec, List<String> held, Function<String, byte[]> outside) {
        ModuleGeneration serving = record.active();
        if (serving != null && serving.carriesState()) {
            checkStateVersion(record, spec, serving);
        }
        Map<String, PreflightVisitor.Header> headers = new HashMap<>();
        PreflightVisitor visitor = new PreflightVisitor(headers);
        try {
            forEachClass(spec, (name, bytes) -> {
                try {
                    new ClassReader(bytes).accept(visitor, FLAGS);
                } catch (RuntimeException e) {
                    // ASM reports malformed class files with IllegalArgumentException or index errors.
                    throw refuse(record, spec, "class " + name + " cannot be read (" + e + ")", e);
                }
                if (visitor.apiProblem != null) {
                    throw refuse(record, spec, visitor.apiProblem + ", which this framework's dev.hotplug.api does not"
                            + " have: the module was built against a newer module API", null);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw refuse(record, spec, "cannot read it again (" + e + ")", e);
        }
        if (held.isEmpty() || visitor.dynamic) {
            return;
        }
        Hierarchy hierarchy = new Hierarchy(headers, outside);
        for (String service : held) {
            String wanted = service.replace('.', '/');
            if (!hierarchy.anyReaches(headers.keySet(), wanted) && !hierarchy.anyReaches(visitor.produced, wanted)) {
                throw refuse(record, spec, "it no longer implements service " + service + ", which version "
                        + (serving == null ? "?" : serving.version()) + " provides and consumers hold: no class in its"
                        + " class path implements it; keep implementing it, or undeploy the module first", null);
            }
        }
    }

    /**
     * Class files outside the jar a module linked through {@code links} (package to exporting generation) can see:
     * exported by another module, or shared by the host. Reads resources only; defines nothing.
     */
    static Function<String, byte[]> outside(Map<String, ModuleGeneration> links, FrameworkConfig config) {
        return internalName -> {
            int slash = internalName.lastIndexOf('/');
            String packageName = slash < 0 ? "" : internalName.substring(0, slash).replace('/', '.');
            ModuleGeneration exporter = links.get(packageName);
            ClassLoader from = exporter != null ? exporter.loader
                    : packageName.equals("dev.hotplug.api") ? dev.hotplug.api.ModuleContext.class.getClassLoader()
                    : config.hostProvides(packageName) ? config.hostLoader() : null;
            if (from == null) {
                return null;
            }
            try (InputStream in = from.getResourceAsStream(internalName + ".class")) {
                return in == null ? null : in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /**
     * SPEC's stage check of the state version, from the class files alone: the state the serving version unloads must
     * reach the new version's {@code @StateVersion} through its {@code @Migrate} steps, so no reload unloads the old
     * version only to fail in the new one's {@code @Load}.
     */
    private static void checkStateVersion(ModuleRecord record, ModuleSpec spec, ModuleGeneration serving) {
        int saved = serving.migrator.currentVersion();
        int wanted = spec.stateVersion();
        if (saved > wanted) {
            throw refuse(record, spec, "its @StateVersion(" + wanted + ") is older than state version " + saved
                    + ", which version " + serving.version() + " writes; state is never migrated down", null);
        }
        for (int from = saved; from < wanted; from++) {
            if (!spec.migrationSteps().contains(from)) {
                throw refuse(record, spec, "it cannot migrate the state of version " + serving.version() + " from state"
                        + " version " + saved + " to " + wanted + ": no @Migrate(from = " + from + ") method in "
                        + spec.activatorClass(), null);
            }
        }
    }

    private static InvalidModuleException refuse(ModuleRecord record, ModuleSpec spec, String cause, Throwable thrown) {
        String version = spec.version().toString();
        return new InvalidModuleException("Cannot stage module " + record.name() + " " + version + " ("
                + spec.jar().getFileName() + "): " + cause, record.name(), version, spec.jar(), thrown);
    }

    /**
     * Hands every class file of {@code spec}'s class path to {@code action} (its binary name and bytes), by the rules
     * {@link ManifestReader} reads them with: the first of a name wins, {@code META-INF/} and {@code module-info} are
     * not classes, class path folders are named from their own root.
     */
    private static void forEachClass(ModuleSpec spec, BiConsumer<String, byte[]> action) throws IOException {
        try (JarFile jar = new JarFile(spec.jar().toFile(), false)) {
            List<String> folders = new ArrayList<>();
            for (String entry : spec.classPath()) {
                JarEntry nested = jar.getJarEntry(entry);
                if (!entry.equals(".") && (nested == null || nested.isDirectory())) {
                    folders.add(entry.endsWith("/") ? entry : entry + "/");
                }
            }
            Set<String> seen = new HashSet<>();
            for (String entry : spec.classPath()) {
                JarEntry nested = entry.equals(".") ? null : jar.getJarEntry(entry);
                if (nested != null && !nested.isDirectory()) {
                    try (ZipInputStream in = new ZipInputStream(jar.getInputStream(nested))) {
                        for (ZipEntry inner = in.getNextEntry(); inner != null; inner = in.getNextEntry()) {
                            String name = inner.getName();
                            if (!inner.isDirectory() && isClass(name) && seen.add(name)) {
                                action.accept(binaryName(name), in.readAllBytes());
                            }
                        }
                    }
                    continue;
                }
                String prefix = entry.equals(".") ? "" : entry.endsWith("/") ? entry : entry + "/";
                List<String> excluded = entry.equals(".") ? folders : List.of();
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    JarEntry file = entries.nextElement();
                    String name = file.getName();
                    if (file.isDirectory() || !name.startsWith(prefix) || excluded.stream().anyMatch(name::startsWith)) {
                        continue;
                    }
                    String relative = name.substring(prefix.length());
                    if (isClass(relative) && seen.add(relative)) {
                        action.accept(binaryName(relative), JarEntries.read(jar, file));
                    }
                }
            }
        }
    }

    private static boolean isClass(String relative) {
        return relative.endsWith(".class") && !relative.startsWith("META-INF/") && !relative.equals("module-info.class");
    }

    private static String binaryName(String relative) {
        return relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
    }

    /**
     * Which types reach an interface through their supertypes, looked up in the jar, then outside it; the JDK's by
     * reflection. A supertype nowhere to be found counts as reaching it: the check refuses only what it can prove.
     */
    private static final class Hierarchy {
        private final Map<String, PreflightVisitor.Header> jar;
        private final Function<String, byte[]> outside;
        private final Map<String, List<String>> supertypes = new HashMap<>();
        private final Map<String, Boolean> reaches = new HashMap<>();

        Hierarchy(Map<String, PreflightVisitor.Header> jar, Function<String, byte[]> outside) {
            this.jar = jar;
            this.outside = outside;
        }

        boolean anyReaches(Set<String> types, String wanted) {
            for (String type : types) {
                if (reaches(type, wanted, new HashSet<>())) {
                    return true;
                }
            }
            return false;
        }

        private boolean reaches(String type, String wanted, Set<String> path) {
            if (type.equals(wanted)) {
                return true;
            }
            String key = type + ">" + wanted;
            Boolean known = reaches.get(key);
            if (known != null) {
                return known;
            }
            if (!path.add(type)) {
                return false;
            }
            List<String> parents = supertypes(type);
            boolean answer = parents == null;
            if (parents != null) {
                for (String parent : parents) {
                    if (reaches(parent, wanted, path)) {
                        answer = true;
                        break;
                    }
                }
            }
            reaches.put(key, answer);
            return answer;
        }

        /** Direct supertypes of {@code type}, or {@code null} when it cannot be found. */
        private List<String> supertypes(String type) {
            if (supertypes.containsKey(type)) {
                return supertypes.get(type);
            }
            List<String> parents = null;
            PreflightVisitor.Header header = jar.get(type);
            if (header != null) {
                parents = parents(header.superName(), header.interfaces());
            } else if (PLATFORM_PREFIXES.stream().anyMatch(type::startsWith)) {
                parents = platform(type);
            } else {
                byte[] bytes = outside.apply(type);
                if (bytes != null) {
                    ClassReader reader = new ClassReader(bytes);
                    parents = parents(reader.getSuperName(), reader.getInterfaces());
                }
            }
            supertypes.put(type, parents);
            return parents;
        }

        private static List<String> parents(String superName, String[] interfaces) {
            List<String> parents = new ArrayList<>(List.of(interfaces));
            if (superName != null) {
                parents.add(superName);
            }
            return parents;
        }

        private static List<String> platform(String type) {
            Class<?> found;
            try {
                found = Class.forName(type.replace('/', '.'), false, ClassLoader.getPlatformClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // Not a JDK class this JVM has: unknown, which the caller treats as "may implement it".
                return null;
            }
            List<String> parents = new ArrayList<>();
            for (Class<?> parent : found.getInterfaces()) {
                parents.add(parent.getName().replace('.', '/'));
            }
            if (found.getSuperclass() != null) {
                parents.add(found.getSuperclass().getName().replace('.', '/'));
            }
            return parents;
        }
    }
}
