package dev.hotplug.framework;

import dev.hotplug.isolation.LoaderSpec;
import dev.hotplug.isolation.ModuleClassLoader;
import dev.hotplug.nativelib.NativeLibraryException;
import dev.hotplug.nativelib.NativeNamespace;
import dev.hotplug.state.StateCodec;
import dev.hotplug.state.StateMigrator;
import org.objectweb.asm.Type;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stage: makes a generation ready to load without running any of its code — versioned jar copy, manifest and bytecode
 * checks, native-library checks, classloader, lifecycle class linked (not initialized). Everything here happens
 * before a reload quiesces the running version. Thread-safe.
 */
final class GenerationStager {

    private static final Logger LOG = LoggerFactory.getLogger(GenerationStager.class);
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final MethodType HASH_CODE = MethodType.methodType(int.class);

    private final FrameworkConfig config;
    private final ServiceRegistry services;
    private final Housekeeper housekeeper;
    private final AtomicLong copies = new AtomicLong();
    private final Map<String, AtomicLong> generations = new ConcurrentHashMap<>();

    GenerationStager(FrameworkConfig config, ServiceRegistry services, Housekeeper housekeeper) {
        this.config = config;
        this.services = services;
        this.housekeeper = housekeeper;
    }

    /**
     * Copies {@code source} into the process cache and reads it: the versioned temp copy every generation of that
     * version loads from, never the file in the watched folder.
     *
     * @throws InvalidModuleException when the file cannot be copied or is not a valid module jar
     */
    ModuleSpec copyAndRead(Path source) {
        Path copy;
        String sha256;
        try {
            // One folder per copy keeps the user's file name, so every message names the file they dropped. The next
            // copy's folder is made ahead on the housekeeper: a mkdir costs 0.1-0.3 ms on common disks.
            long number = copies.incrementAndGet();
            Path folder = copyFolder(number);
            if (!Files.isDirectory(folder)) {
                Files.createDirectories(folder);
            }
            housekeeper.execute(() -> makeFolder(copyFolder(number + 1)));
            copy = folder.resolve(source.getFileName().toString());
            sha256 = FileDigest.copy(source, copy);
        } catch (IOException e) {
            throw new InvalidModuleException("Cannot copy module jar " + source.getFileName() + ": " + e, null, null,
                    source, e);
        }
        try {
            return ManifestReader.read(copy, sha256);
        } catch (RuntimeException e) {
            try {
                deleteCopy(copy);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private Path copyFolder(long number) {
        return config.cacheFolder().resolve("jars").resolve(Long.toString(number));
    }

    /** Makes a folder ahead of its use; a failure is logged, and the copy that needs it makes it then. */
    private static void makeFolder(Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            LOG.debug("Cannot make copy folder {} ahead: {}", folder, e.toString());
        }
    }

    /**
     * Stages a new generation of {@code record} from {@code spec} (whose jar is a versioned copy), linked against
     * {@code wiring}.
     *
     * @throws HotplugException naming the module, version and file when any check fails; nothing is left behind
     */
    ModuleGeneration stage(ModuleRecord record, ModuleSpec spec, Map<String, ModuleGeneration> wiring) {
        return stage(record, spec, wiring, Map.of());
    }

    /**
     * As {@link #stage(ModuleRecord, ModuleSpec, Map)}, with loose native libraries taken from {@code looseSnapshots}
     * (file name → bytes an earlier generation loaded) rather than from the watched folder: a rollback brings back
     * the libraries its version ran with, even when the change that triggered the reload was to one of them.
     */
    ModuleGeneration stage(ModuleRecord record, ModuleSpec spec, Map<String, ModuleGeneration> wiring,
                           Map<String, Path> looseSnapshots) {
        ModuleGeneration serving = record.active();
        if (serving == null || !serving.spec.jar().equals(spec.jar())) {
            // Not for the jar that serves already (dependents, rollback): it passed, and rollback runs in the pause.
            Preflight.check(record, spec, services.heldServicesOf(record.name()), Preflight.outside(wiring, config));
        }
        long number = generations.computeIfAbsent(record.name(), n -> new AtomicLong()).incrementAndGet();
        Path folder = config.cacheFolder().resolve(record.name()).resolve("gen-" + number);
        String version = spec.version().toString();
        NativeNamespace natives = null;
        ModuleClassLoader loader = null;
        try {
            // No mkdir here: the native copies and extracted class path jars create it when a module has them, and a
            // create or delete costs 0.1-0.3 ms on common disks.
            natives = NativeNamespace.builder(record.name(), version, number)
                    .jar(spec.jar()).looseFolder(config.modulesFolder()).pinLoose(looseSnapshots).workDirectory(folder).build();
            try {
                natives.check();
            } catch (NativeLibraryException e) {
                // Already the one line users need: "Cannot stage module m 2.0.0: native/... is an ELF for aarch64, ..."
                throw new HotplugException(e.getMessage(), record.name(), version, spec.jar(), e);
            }
            Map<String, ModuleGeneration> links = Map.copyOf(wiring);
            loader = new ModuleClassLoader(LoaderSpec.builder(record.name(), version, number)
                    .jar(spec.jar()).classPath(spec.classPath()).workDirectory(folder)
                    .apiLoader(dev.hotplug.api.ModuleContext.class.getClassLoader())
                    .share(config.hostLoader(), config.sharedPackages())
                    .imports(pkg -> {
                        ModuleGeneration exporter = links.get(pkg);
                        return exporter == null ? null : exporter.loader;
                    })
                    .libraries(natives)
                    .build());
            Class<?> type = Class.forName(spec.activatorClass(), false, loader);
            preload(spec, loader);
            Map<LifecyclePhase, Method> methods = lifecycleMethods(spec, type);
            List<Field> fields = stateFields(spec, type);
            StateMigrator migrator = StateMigrator.of(record.name(), version, type);
            StateCodec codec = StateCodec.forClassLoader(record.name(), version, loader);
            prepareCodec(codec, spec, methods, fields);
            GenerationThreads threads = new GenerationThreads(record.name(), number, loader);
            GenerationContext context = new GenerationContext(record, version, number, threads, services,
                    config.stateFolder().resolve(record.name()).resolve("data"), natives);
            return new ModuleGeneration(record, spec, number, folder, loader, natives, type, methods, fields, codec,
                    migrator, links, threads, context);
        } catch (HotplugException e) {
            abandon(loader, natives, folder, e);
            throw e;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            abandon(loader, natives, folder, e);
            throw new HotplugException("Cannot stage module " + record.name() + " " + version + " ("
                    + spec.jar().getFileName() + "): " + LifecycleInvoker.describe(e), record.name(), version,
                    spec.jar(), e);
        }
    }

    /**
     * Defines and links (verifies) the module's classes next to its lifecycle class, without initializing any, so
     * {@code @Load} in the pause does not pay for them. A class that cannot link is left to fail on first use, as
     * it would without this.
     */
    private static void preload(ModuleSpec spec, ClassLoader loader) {
        for (String name : spec.preload()) {
            try {
                // Resolving a method handle links the class (HotSpot verifies it then), running none of its code.
                // Reflection would too, but caches what it read on the class, which a released generation keeps
                // until its classes unload, and each young collection until then copies.
                Class<?> type = Class.forName(name, false, loader);
                MethodHandles.privateLookupIn(type, LOOKUP).findVirtual(type, "hashCode", HASH_CODE);
            } catch (ReflectiveOperationException | LinkageError e) {
                LOG.debug("Module {}: class {} not preloaded: {}", spec.name(), name, e.toString());
            }
        }
    }

    private static Map<LifecyclePhase, Method> lifecycleMethods(ModuleSpec spec, Class<?> type) {
        Map<LifecyclePhase, Method> methods = new EnumMap<>(LifecyclePhase.class);
        // getDeclaredMethods links every parameter type: a missing class fails here, before any module code runs.
        Method[] declared = type.getDeclaredMethods();
        for (Map.Entry<LifecyclePhase, LifecycleMethod> wanted : spec.lifecycle().entrySet()) {
            Method found = null;
            for (Method method : declared) {
                if (method.getName().equals(wanted.getValue().name())
                        && Type.getMethodDescriptor(method).equals(wanted.getValue().descriptor())) {
                    found = method;
                }
            }
            if (found == null) {
                throw new IllegalStateException("lifecycle method " + wanted.getValue().name() + " vanished from "
                        + type.getName());
            }
            found.setAccessible(true);
            methods.put(wanted.getKey(), found);
        }
        return methods;
    }

    /** Introspects the state types now, before any reload's pause needs their (de)serializers. */
    private static void prepareCodec(StateCodec codec, ModuleSpec spec, Map<LifecyclePhase, Method> methods,
                                     List<Field> fields) {
        List<java.lang.reflect.Type> types = new ArrayList<>();
        fields.forEach(f -> types.add(f.getGenericType()));
        Method load = methods.get(LifecyclePhase.LOAD);
        int state = load == null ? -1 : spec.lifecycle().get(LifecyclePhase.LOAD).stateParameter();
        List<java.lang.reflect.Type> reads = new ArrayList<>(types);
        if (state >= 0) {
            reads.add(load.getGenericParameterTypes()[state]);
        }
        List<java.lang.reflect.Type> writes = new ArrayList<>(types);
        Method unload = methods.get(LifecyclePhase.UNLOAD);
        if (unload != null && unload.getReturnType() != void.class) {
            writes.add(unload.getGenericReturnType());
        }
        codec.prepare(reads, writes);
    }

    private static List<Field> stateFields(ModuleSpec spec, Class<?> type) throws NoSuchFieldException {
        List<Field> fields = new ArrayList<>();
        for (String name : spec.stateFields()) {
            Field field = type.getDeclaredField(name);
            if (Modifier.isStatic(field.getModifiers())) {
                throw new IllegalStateException("@State field " + name + " is static");
            }
            field.setAccessible(true);
            fields.add(field);
        }
        return List.copyOf(fields);
    }

    private static void abandon(ModuleClassLoader loader, NativeNamespace natives, Path folder, Throwable primary) {
        try {
            if (loader != null) {
                loader.close();
            }
            if (natives != null) {
                natives.close();
            }
        } catch (RuntimeException e) {
            primary.addSuppressed(e);
        }
        FileTree.deleteQuietly(folder, primary);
    }

    /** Deletes a versioned copy made by {@link #copyAndRead} and the folder holding it. */
    static void deleteCopy(Path copy) throws IOException {
        Files.deleteIfExists(copy);
        Files.deleteIfExists(copy.getParent());
    }

    /** Deletes a versioned copy no generation will load again; a failure is logged, the copy then goes with the cache. */
    static void discardCopy(Path copy) {
        try {
            deleteCopy(copy);
        } catch (IOException e) {
            LOG.warn("Cannot delete copy {}: {}", copy, e.toString());
        }
    }

    /** Packages the framework shares with every module besides the API: Jackson's, for {@code @Migrate}. */
    static Set<String> defaultSharedPackages() {
        return Set.of("com.fasterxml.jackson.databind.*", "com.fasterxml.jackson.core.*",
                "com.fasterxml.jackson.annotation");
    }
}
