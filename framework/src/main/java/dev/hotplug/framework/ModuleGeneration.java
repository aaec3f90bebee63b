package dev.hotplug.framework;

import dev.hotplug.isolation.ModuleClassLoader;
import dev.hotplug.nativelib.NativeNamespace;
import dev.hotplug.state.StateCodec;
import dev.hotplug.state.StateMigrator;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One loaded version of a module: its classloader over its versioned jar copy, its native-library namespace, its
 * lifecycle class and methods, its state codec, and (once loaded) its instance and context. A generation is never
 * reused once released or quarantined. Fields are set once at staging; {@link #instance} is confined to the
 * framework's operation lock.
 */
final class ModuleGeneration {

    final ModuleRecord record;
    final ModuleSpec spec;
    final long number;
    final Path folder;
    final ModuleClassLoader loader;
    final NativeNamespace natives;
    final Class<?> lifecycleClass;
    final Map<LifecyclePhase, Method> methods;
    final List<Field> stateFields;
    final StateCodec codec;
    final StateMigrator migrator;
    /** Imported package → the exporter generation this one links against, fixed at staging. */
    final Map<String, ModuleGeneration> wiring;
    final GenerationThreads threads;
    final GenerationContext context;
    Object instance;
    volatile boolean released;

    ModuleGeneration(ModuleRecord record, ModuleSpec spec, long number, Path folder, ModuleClassLoader loader,
                     NativeNamespace natives, Class<?> lifecycleClass, Map<LifecyclePhase, Method> methods,
                     List<Field> stateFields, StateCodec codec, StateMigrator migrator,
                     Map<String, ModuleGeneration> wiring, GenerationThreads threads, GenerationContext context) {
        this.record = record;
        this.spec = spec;
        this.number = number;
        this.folder = folder;
        this.loader = loader;
        this.natives = natives;
        this.lifecycleClass = lifecycleClass;
        this.methods = methods;
        this.stateFields = stateFields;
        this.codec = codec;
        this.migrator = migrator;
        this.wiring = wiring;
        this.threads = threads;
        this.context = context;
    }

    String name() {
        return record.name();
    }

    String version() {
        return spec.version().toString();
    }

    /** "name version" for messages. */
    String label() {
        return record.name() + " " + spec.version();
    }

    /** Whether this generation links against {@code provider}. */
    boolean importsFrom(ModuleGeneration provider) {
        for (ModuleGeneration exporter : wiring.values()) {
            if (exporter == provider) {
                return true;
            }
        }
        return false;
    }

    /** Whether unloading carries state: an {@code @Unload} method or {@code @State} fields. */
    boolean carriesState() {
        return methods.containsKey(LifecyclePhase.UNLOAD) || !stateFields.isEmpty();
    }

    @Override
    public String toString() {
        return "generation " + number + " of " + label();
    }
}
