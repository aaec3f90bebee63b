package dev.hotplug.framework;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hotplug.api.LoadReason;
import dev.hotplug.isolation.LeakWatcher;
import dev.hotplug.state.StateException;
import dev.hotplug.state.StateRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one generation's module code — constructor, {@code @Startup}, {@code @Load} with its state, {@code @Unload},
 * {@code @Shutdown} — each under its time limit, and releases the generation afterwards. Called under the framework's
 * operation lock.
 */
final class GenerationLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(GenerationLifecycle.class);

    private final FrameworkConfig config;
    private final LifecycleInvoker invoker;
    private final ServiceRegistry services;
    private final LeakWatcher leaks;
    private final Housekeeper housekeeper;

    GenerationLifecycle(FrameworkConfig config, LifecycleInvoker invoker, ServiceRegistry services, LeakWatcher leaks,
                        Housekeeper housekeeper) {
        this.config = config;
        this.invoker = invoker;
        this.services = services;
        this.leaks = leaks;
        this.housekeeper = housekeeper;
    }

    /**
     * Creates the lifecycle instance, runs {@code @Startup} when the module name has not started in this process, then
     * {@code @Load} with {@code saved} migrated to the generation's schema ({@code null}: no state). All on one worker.
     *
     * @throws LifecycleInvoker.Failure when module code throws, runs past its limit, or the state does not fit
     */
    void load(ModuleGeneration gen, StateRecord saved, LoadReason reason) throws LifecycleInvoker.Failure {
        invoker.runSteps(constructing(gen), gen.loader, config.lifecycleTimeoutMillis(), steps -> {
            load(steps, gen, saved, reason, null);
            return null;
        });
    }

    /**
     * As {@link #load(ModuleGeneration, StateRecord, LoadReason)}, as further steps of a call already on a worker;
     * {@code commit} goes with the first of them (see {@link LifecycleInvoker.Steps#next}).
     */
    void load(LifecycleInvoker.Steps steps, ModuleGeneration gen, StateRecord saved, LoadReason reason, Runnable commit)
            throws Exception {
        Constructor<?> constructor = constructorOf(gen);
        steps.next(constructing(gen), config.lifecycleTimeoutMillis(), gen.loader, commit);
        Object instance = constructor.newInstance();
        Method load = gen.methods.get(LifecyclePhase.LOAD);
        LifecycleMethod shape = gen.spec.lifecycle().get(LifecyclePhase.LOAD);
        if (!gen.record.startupDone()) {
            Method startup = gen.methods.get(LifecyclePhase.STARTUP);
            LifecycleMethod startupShape = gen.spec.lifecycle().get(LifecyclePhase.STARTUP);
            steps.next("@Startup of " + gen.label(), config.limitFor(startupShape), gen.loader, () -> gen.instance = instance);
            if (startup != null) {
                startup.invoke(instance, contextArgs(gen, startupShape));
            }
            steps.next("@Load of " + gen.label(), config.limitFor(shape), gen.loader, gen.record::claimStartup);
        } else {
            steps.next("@Load of " + gen.label(), config.limitFor(shape), gen.loader, () -> gen.instance = instance);
        }
        JsonNode tree = saved == null ? null : gen.migrator.migrate(saved.state(), saved.stateVersion());
        boolean carried = tree != null && !tree.isNull();
        if (load == null) {
            if (carried && !gen.stateFields.isEmpty()) {
                gen.codec.decodeFields(tree, instance, gen.stateFields);
            }
            return;
        }
        Object[] args = new Object[shape.parameters().size()];
        Type[] types = load.getGenericParameterTypes();
        for (int i = 0; i < args.length; i++) {
            args[i] = switch (shape.parameters().get(i)) {
                case CONTEXT -> gen.context;
                case REASON -> reason;
                case STATE -> carried ? gen.codec.decode(tree, types[i]) : null;
            };
        }
        if (carried && shape.stateParameter() < 0 && !gen.stateFields.isEmpty()) {
            gen.codec.decodeFields(tree, instance, gen.stateFields);
        }
        load.invoke(instance, args);
    }

    private static String constructing(ModuleGeneration gen) {
        return "constructor of " + gen.lifecycleClass.getName() + " in " + gen.label();
    }

    /**
     * Runs {@code @Unload} and turns what it returns (or the {@code @State} fields) into the state record to write, at
     * the generation's schema version; {@code null} when the generation carries no state. Then stops its threads.
     *
     * @throws LifecycleInvoker.Failure when {@code @Unload} throws or runs past its limit, or the state cannot be encoded
     */
    StateRecord unload(ModuleGeneration gen) throws LifecycleInvoker.Failure {
        StateRecord state = invoker.runSteps(unloading(gen), gen.loader, unloadLimit(gen), steps -> unload(steps, gen, null));
        stopThreads(gen);
        return state;
    }

    /**
     * As {@link #unload(ModuleGeneration)} without stopping the threads, as the next step of a call already on a
     * worker; {@code commit} goes with it (see {@link LifecycleInvoker.Steps#next}).
     */
    StateRecord unload(LifecycleInvoker.Steps steps, ModuleGeneration gen, Runnable commit) throws Exception {
        Method unload = gen.methods.get(LifecyclePhase.UNLOAD);
        LifecycleMethod shape = gen.spec.lifecycle().get(LifecyclePhase.UNLOAD);
        steps.next(unloading(gen), unloadLimit(gen), gen.loader, commit);
        Object returned = unload == null ? null : unload.invoke(gen.instance, contextArgs(gen, shape));
        JsonNode tree;
        if (shape != null && shape.returnsValue()) {
            tree = gen.codec.encode(returned);
        } else {
            tree = gen.stateFields.isEmpty() ? null : gen.codec.encodeFields(gen.instance, gen.stateFields);
        }
        return gen.carriesState() && tree != null
                ? StateRecord.of(gen.name(), gen.version(), gen.migrator.currentVersion(), tree) : null;
    }

    private static String unloading(ModuleGeneration gen) {
        return "@Unload of " + gen.label();
    }

    private long unloadLimit(ModuleGeneration gen) {
        return config.limitFor(gen.spec.lifecycle().get(LifecyclePhase.UNLOAD));
    }

    /**
     * Runs {@code code} on one lifecycle worker, starting with {@code what} under {@code limitMillis} and moving on
     * through its own steps: a reload's whole pause is one thread hand-off. Blocks until it returns or a step runs past
     * its limit.
     */
    <T> T runInOneCall(String what, ClassLoader loader, long limitMillis, LifecycleInvoker.Stepped<T> code)
            throws LifecycleInvoker.Failure {
        return invoker.runSteps(what, loader, limitMillis, code);
    }

    /** Runs {@code @Shutdown}: the module leaves the process. */
    void shutdown(ModuleGeneration gen) throws LifecycleInvoker.Failure {
        call(gen, LifecyclePhase.SHUTDOWN, "@Shutdown");
    }

    private void call(ModuleGeneration gen, LifecyclePhase phase, String label) throws LifecycleInvoker.Failure {
        Method method = gen.methods.get(phase);
        if (method == null || gen.instance == null) {
            return;
        }
        LifecycleMethod shape = gen.spec.lifecycle().get(phase);
        invoker.run(label + " of " + gen.label(), gen.loader, config.limitFor(shape),
                () -> method.invoke(gen.instance, contextArgs(gen, shape)));
    }

    private static Object[] contextArgs(ModuleGeneration gen, LifecycleMethod shape) {
        return shape == null || shape.parameters().isEmpty() ? new Object[0] : new Object[] {gen.context};
    }

    private static Constructor<?> constructorOf(ModuleGeneration gen) throws LifecycleInvoker.Failure {
        try {
            Constructor<?> constructor = gen.lifecycleClass.getDeclaredConstructor();
            constructor.setAccessible(true);
            return constructor;
        } catch (NoSuchMethodException | RuntimeException e) {
            throw new LifecycleInvoker.Failure("Cannot create " + gen.lifecycleClass.getName() + " of " + gen.label()
                    + ": no usable no-argument constructor", e, false);
        }
    }

    /** Interrupts and joins the generation's threads (bounded); names left alive are logged. */
    void stopThreads(ModuleGeneration gen) {
        try {
            // Called at unload and again at release: the threads left then were named already.
            boolean again = gen.threads.stopped();
            List<String> alive = gen.threads.stop(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.threadJoinMillis()));
            if (!alive.isEmpty() && !again) {
                LOG.warn("Module {}: threads still running after unload: {}", gen.label(), alive);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Module {}: interrupted while stopping its threads", gen.label());
        }
    }

    /**
     * Releases a generation: threads stopped, services withdrawn, what it gave {@code closeOnRelease} closed, caches
     * dropped, classloader closed and watched until collected, when its folder and native copies are deleted.
     * Idempotent; never throws — failures are logged.
     */
    void release(ModuleGeneration gen) {
        if (gen.released) {
            return;
        }
        gen.released = true;
        stopThreads(gen);
        services.unregister(gen.name(), gen.number);
        closeOnRelease(gen);
        gen.instance = null;
        try {
            gen.codec.release();
            gen.loader.close();
        } catch (RuntimeException e) {
            LOG.warn("Cannot release {} cleanly: {}", gen, LifecycleInvoker.describe(e));
        }
        // The callback must not capture the generation: it would keep the loader it waits for reachable.
        var natives = gen.natives;
        Path folder = gen.folder;
        String label = gen.toString();
        leaks.watch(gen.loader, () -> housekeeper.execute(() -> {
            try {
                natives.close();
                FileTree.delete(folder);
            } catch (IOException | RuntimeException e) {
                LOG.warn("Cannot delete the files of released {}: {}", label, LifecycleInvoker.describe(e));
            }
        }));
    }

    /**
     * Closes what the generation gave {@code closeOnRelease}, the last first, as module code: on a lifecycle worker,
     * with its loader as context loader, under the default lifecycle limit. A close that throws is logged and the
     * others still run; past the limit, the rest are left. No hand-off when there is nothing to close.
     */
    private void closeOnRelease(ModuleGeneration gen) {
        List<AutoCloseable> resources = gen.context.takeCloseOnRelease();
        if (resources.isEmpty()) {
            return;
        }
        try {
            invoker.run("closeOnRelease of " + gen.label(), gen.loader, config.limitFor(null), () -> {
                for (AutoCloseable resource : resources) {
                    Exception failure = GenerationContext.close(resource);
                    if (failure != null) {
                        LOG.warn("Cannot close {} of module {} on its release: {}", resource, gen.label(),
                                LifecycleInvoker.describe(failure), failure);
                    }
                }
                return null;
            });
        } catch (LifecycleInvoker.Failure e) {
            LOG.warn("Module {}: {}", gen.label(), e.getMessage());
        }
    }

    /** One line for a lifecycle failure, preferring the state layer's own message. */
    static String describe(LifecycleInvoker.Failure failure) {
        Throwable cause = failure.getCause();
        if (cause instanceof StateException state) {
            return state.getMessage();
        }
        return failure.getMessage();
    }
}
