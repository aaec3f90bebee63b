package dev.hotplug.framework;

import dev.hotplug.api.LoadReason;
import dev.hotplug.state.StateException;
import dev.hotplug.state.StateRecord;
import dev.hotplug.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * SPEC's reload transaction over one module and the modules linking against it: stage every new generation, quiesce,
 * {@code @Unload} each old one with its state written durably, {@code @Load} each new one — then swap all, or release all
 * new ones and bring every old version back from its versioned copy in a fresh classloader. Runs under the framework's
 * operation lock; not thread-safe on its own.
 */
final class ReloadTransaction {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadTransaction.class);

    /** One module in the transaction. */
    private static final class Step {
        final ModuleRecord record;
        final ModuleGeneration old;
        final ModuleSpec target;
        ModuleGeneration fresh;
        StateRecord state;
        boolean unloaded;
        boolean loaded;

        Step(ModuleRecord record, ModuleSpec target) {
            this.record = record;
            this.old = record.active();
            this.target = target;
        }
    }

    private final FrameworkConfig config;
    private final ServiceRegistry services;
    private final GenerationStager stager;
    private final GenerationLifecycle lifecycle;
    private final StateStore store;
    private final EventDispatcher events;
    private final Housekeeper housekeeper;
    private final Collection<ModuleRecord> records;
    /**
     * How long a swapped version waits before it is copied as last-good: at most one copy (two fsyncs) per module and
     * second, since that copy slows the next reload's state write on the same disk. A crash before it leaves the
     * version before, which ran too.
     */
    static final long LAST_GOOD_DELAY_MILLIS = 1000;
    /** The running transaction's events, handed to listeners in one batch when it finishes. */
    private final List<HotplugEvent> pending = new ArrayList<>();
    /** When the running transaction quiesced, and how long its calls were held; 0 until then. */
    private long pauseStarted;
    private long pauseNanos;
    /** Where the worker running unload and load is, and that phase's event: what a failure there is published on. */
    private Step at;
    private Phase atPhase;
    private ReloadPhaseEvent atEvent;

    ReloadTransaction(FrameworkConfig config, ServiceRegistry services, GenerationStager stager,
                      GenerationLifecycle lifecycle, StateStore store,
                      EventDispatcher events, Collection<ModuleRecord> records, Housekeeper housekeeper) {
        this.config = config;
        this.services = services;
        this.stager = stager;
        this.lifecycle = lifecycle;
        this.store = store;
        this.events = events;
        this.housekeeper = housekeeper;
        this.records = records;
    }

    /**
     * Replaces {@code trigger}'s serving generation with one of {@code spec} (a versioned copy), reloading every module
     * linking against it with it. {@code reason} is {@link LoadReason#RELOAD}, or {@link LoadReason#ROLLBACK} when an
     * operator goes back to the previous version. Returns the trigger's history entry.
     */
    HistoryEntry run(ModuleRecord trigger, ModuleSpec spec, LoadReason reason) {
        long started = System.nanoTime();
        pending.clear();
        pauseStarted = 0;
        pauseNanos = 0;
        List<Step> steps = new ArrayList<>();
        steps.add(new Step(trigger, spec));
        for (ModuleRecord dependent : ModuleWiring.dependentsOf(trigger, records)) {
            steps.add(new Step(dependent, dependent.active().spec));
        }
        String cause = timed(Phase.STAGE, steps, () -> stage(steps));
        if (cause != null) {
            return finish(steps, started, reason, Outcome.REFUSED, cause);
        }
        steps.forEach(s -> s.record.moveTo(LifecycleState.RELOADING));
        cause = timed(Phase.QUIESCE, steps, () -> quiesce(steps));
        if (cause != null) {
            steps.forEach(s -> release(s.fresh));
            reopen(steps);
            return finish(steps, started, reason, Outcome.REFUSED, cause);
        }
        cause = unloadAndLoad(steps, reason);
        if (cause == null) {
            swap(steps);
            return finish(steps, started, reason, Outcome.SWAPPED, null);
        }
        String rollbackFailure = timed(Phase.ROLLBACK, steps, () -> rollback(steps));
        return rollbackFailure == null ? finish(steps, started, reason, Outcome.ROLLED_BACK, cause)
                : finish(steps, started, reason, Outcome.FAILED, cause + "; " + rollbackFailure);
    }

    /** Runs one phase inside a {@link ReloadPhaseEvent}, so JFR recordings show where reload time goes. */
    private static String timed(Phase phase, List<Step> steps, Supplier<String> body) {
        Step head = steps.get(0);
        ReloadPhaseEvent event = ReloadPhaseEvent.begin(phase, head.record.name(), head.old.version(),
                head.target.version().toString(), steps.size());
        String failure = body.get();
        event.end(phase == Phase.QUIESCE || phase == Phase.UNLOAD ? head.old
                : phase == Phase.ROLLBACK ? head.record.active() : head.fresh, failure);
        return failure;
    }

    private String stage(List<Step> steps) {
        Map<String, ModuleGeneration> staged = new HashMap<>();
        for (Step step : steps) {
            try {
                if (step == steps.get(0) && !step.old.spec.reloadable()) {
                    throw new HotplugException("Cannot reload module " + step.record.name() + ": version "
                            + step.old.version() + " says @HotplugModule(reloadable = false); restart the process or "
                            + "undeploy it first", step.record.name(), step.target.version().toString(), step.target.jar());
                }
                step.fresh = stager.stage(step.record, step.target, ModuleWiring.wire(step.target, staged, records, config::hostProvides));
                staged.put(step.record.name(), step.fresh);
                publish(step, Phase.STAGE, null);
            } catch (HotplugException e) {
                steps.forEach(s -> release(s.fresh));
                publish(step, Phase.STAGE, e.getMessage());
                return e.getMessage();
            }
        }
        return null;
    }

    private String quiesce(List<Step> steps) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.drainTimeoutMillis());
        pauseStarted = System.nanoTime();
        if (!services.quiesce(names(steps), deadline)) {
            String cause = "Cannot quiesce module " + steps.get(0).record.name() + ": calls in flight did not drain within "
                    + config.drainTimeoutMillis() + " ms; the old version keeps serving";
            publish(steps.get(0), Phase.QUIESCE, cause);
            return cause;
        }
        steps.forEach(s -> publish(s, Phase.QUIESCE, null));
        return null;
    }

    private static Set<String> names(List<Step> steps) {
        Set<String> names = new HashSet<>();
        steps.forEach(s -> names.add(s.record.name()));
        return names;
    }

    /**
     * SPEC's unload and load steps as one call on a lifecycle worker, so the pause holds no thread hand-off between
     * them: importers first, each old generation's {@code @Unload}, its threads stopped and its state written durably;
     * then providers first, each new generation constructed and loaded with that state. Returns {@code null} when all
     * loaded, else the cause; the steps say how far it got.
     */
    private String unloadAndLoad(List<Step> steps, LoadReason reason) {
        Step first = steps.get(steps.size() - 1);
        Step head = steps.get(0);
        at(first, Phase.UNLOAD);
        atEvent = ReloadPhaseEvent.begin(Phase.UNLOAD, head.record.name(), head.old.version(),
                head.target.version().toString(), steps.size());
        try {
            lifecycle.runInOneCall("the unload of " + first.old.label(), first.old.loader, LifecycleInvoker.NO_LIMIT,
                    calls -> unloadAndLoad(calls, steps, reason));
            return null;
        } catch (LifecycleInvoker.Failure e) {
            // Read after the worker finished or was given up on: its last commit is visible, later work never commits.
            String cause = GenerationLifecycle.describe(e);
            publish(at, atPhase, cause);
            atEvent.end(atPhase == Phase.UNLOAD ? head.old : head.fresh, cause);
            return cause;
        } finally {
            // The transaction outlives its steps: holding one would keep its generations' loaders reachable.
            at(null, null);
            atEvent = null;
        }
    }

    /** Runs on the worker; writes what the transaction reads only in commits (see {@link LifecycleInvoker.Steps}). */
    private Void unloadAndLoad(LifecycleInvoker.Steps calls, List<Step> steps, LoadReason reason) throws Exception {
        Step head = steps.get(0);
        ReloadPhaseEvent unloading = atEvent;
        for (int i = steps.size() - 1; i >= 0; i--) {
            Step step = steps.get(i);
            StateRecord state = lifecycle.unload(calls, step.old, () -> at(step, Phase.UNLOAD));
            calls.next("the thread stop and state write of " + step.old.label(), LifecycleInvoker.NO_LIMIT, null, () -> {
                step.state = state;
                step.unloaded = true;
            });
            lifecycle.stopThreads(step.old);
            PausePoints.reach(PausePoints.DURING_UNLOAD, step.record.name());
            if (state != null) {
                store.write(state);
            }
            PausePoints.reach(PausePoints.AFTER_STATE_WRITE, step.record.name());
            calls.commit(() -> publish(step, Phase.UNLOAD, null));
        }
        ReloadPhaseEvent loading = ReloadPhaseEvent.begin(Phase.LOAD, head.record.name(), head.old.version(),
                head.target.version().toString(), steps.size());
        calls.commit(() -> {
            unloading.end(head.old, null);
            atEvent = loading;
        });
        for (Step step : steps) {
            PausePoints.reach(PausePoints.DURING_LOAD, step.record.name());
            lifecycle.load(calls, step.fresh, step.state, reason, () -> at(step, Phase.LOAD));
            calls.next("the swap of " + step.fresh.label(), LifecycleInvoker.NO_LIMIT, null, () -> {
                step.loaded = true;
                publish(step, Phase.LOAD, null);
            });
        }
        calls.commit(() -> loading.end(head.fresh, null));
        return null;
    }

    private void at(Step step, Phase phase) {
        at = step;
        atPhase = phase;
    }

    private void swap(List<Step> steps) {
        for (Step step : steps) {
            step.record.swap(step.fresh);
            step.record.spec(step.fresh.spec);
            step.record.lastError(null);
            step.record.moveTo(LifecycleState.ACTIVE);
            // Importers reloaded from the copy they run count too: their @Load saw RELOAD and their history a swap.
            // Counted before calls resume, so whoever sees the new version also sees the count.
            step.record.countReload();
        }
        reopen(steps);
        for (Step step : steps) {
            release(step.old);
            if (step.old.spec.jar().equals(step.fresh.spec.jar())) {
                continue;
            }
            Path retired = step.record.previousCopy();
            step.record.previous(step.old.spec.jar(), step.old.version());
            deleteCopy(retired, step.record);
            keepLastGood(step.record, step.fresh.spec);
        }
    }

    /**
     * Brings every module back on its old version: new generations released, old versions staged again from their
     * versioned copies in fresh classloaders and loaded with the state they unloaded. Returns {@code null} when all
     * came back, else what failed, so the history and {@code lastError} say why the module is FAILED.
     */
    private String rollback(List<Step> steps) {
        for (int i = steps.size() - 1; i >= 0; i--) {
            Step step = steps.get(i);
            if (step.loaded) {
                try {
                    lifecycle.unload(step.fresh);
                } catch (LifecycleInvoker.Failure e) {
                    LOG.warn("Module {}: @Unload of the failed new version failed too: {}", step.fresh.label(),
                            GenerationLifecycle.describe(e));
                }
            }
            release(step.fresh);
        }
        List<String> failures = new ArrayList<>();
        Map<String, ModuleGeneration> back = new HashMap<>();
        for (Step step : steps) {
            if (!step.unloaded) {
                // Its @Unload never ran (or threw): the old generation still holds its state and serves on.
                back.put(step.record.name(), step.old);
                step.record.moveTo(LifecycleState.ACTIVE);
                continue;
            }
            ModuleGeneration again = null;
            try {
                PausePoints.reach(PausePoints.DURING_ROLLBACK, step.record.name());
                // The old generation is not released yet, so its snapshots of loose libraries are still on disk.
                again = stager.stage(step.record, step.old.spec, ModuleWiring.wire(step.old.spec, back, records,
                        config::hostProvides), step.old.natives.looseSnapshots());
                lifecycle.load(again, step.state, LoadReason.ROLLBACK);
                back.put(step.record.name(), again);
                step.record.swap(again);
                step.record.moveTo(LifecycleState.ACTIVE);
                publish(step, Phase.ROLLBACK, null);
            } catch (HotplugException | LifecycleInvoker.Failure e) {
                String cause = e instanceof LifecycleInvoker.Failure f ? GenerationLifecycle.describe(f) : e.getMessage();
                release(again);
                step.record.swap(null);
                step.record.lastError(cause);
                step.record.moveTo(LifecycleState.FAILED);
                publish(step, Phase.ROLLBACK, cause);
                LOG.error("Module {} FAILED: rollback to {} failed: {}; its state stays on disk", step.record.name(),
                        step.old.version(), cause);
                failures.add("rollback of " + step.record.name() + " to " + step.old.version() + " failed: " + cause);
            }
            release(step.old);
        }
        reopen(steps);
        return failures.isEmpty() ? null : String.join("; ", failures);
    }

    private void reopen(List<Step> steps) {
        for (Step step : steps) {
            if (step.record.state() == LifecycleState.RELOADING) {
                step.record.moveTo(LifecycleState.ACTIVE);
            }
        }
        pauseNanos = services.resume(names(steps)) - pauseStarted;
    }

    private void release(ModuleGeneration gen) {
        if (gen != null) {
            lifecycle.release(gen);
        }
    }

    private void keepLastGood(ModuleRecord record, ModuleSpec spec) {
        housekeeper.keepLastGood(record.name(), spec.jar(), record.source(), LAST_GOOD_DELAY_MILLIS);
    }

    private void deleteCopy(Path copy, ModuleRecord record) {
        if (copy == null) {
            return;
        }
        ModuleGeneration active = record.active();
        if (active != null && active.spec.jar().equals(copy)) {
            return;
        }
        housekeeper.discardCopy(copy);
    }

    private HistoryEntry finish(List<Step> steps, long started, LoadReason reason, Outcome outcome, String cause) {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        HistoryEntry first = null;
        for (Step step : steps) {
            String from = step.old.version();
            String to = step.target.version().toString();
            HistoryEntry entry = new HistoryEntry(step.record.name(), from, to, outcome, millis,
                    TimeUnit.NANOSECONDS.toMicros(pauseNanos), cause, Instant.now());
            step.record.record(entry);
            if (outcome != Outcome.SWAPPED && step == steps.get(0)) {
                step.record.lastError(cause);
            }
            if (first == null) {
                first = entry;
            }
            ModuleGeneration serving = step.record.active();
            pending.add(new HotplugEvent(step.record.name(), outcome == Outcome.SWAPPED ? Phase.LOAD : Phase.ROLLBACK,
                    from, to, serving == null ? 0 : serving.number, cause, outcome));
        }
        events.publishAll(pending);
        pending.clear();
        Step head = steps.get(0);
        if (outcome != Outcome.SWAPPED && !head.target.jar().equals(head.record.previousCopy())) {
            // The version that did not swap is never loaded again: its versioned copy goes (SPEC step 5).
            deleteCopy(head.target.jar(), head.record);
        }
        switch (outcome) {
            case SWAPPED -> LOG.info("{} {} {} -> {} (generation {}{}) in {} ms",
                    reason == LoadReason.ROLLBACK ? "Rolled back, as asked," : "Reloaded", head.record.name(),
                    head.old.version(), head.target.version(), head.fresh.number,
                    steps.size() > 1 ? ", with " + (steps.size() - 1) + " dependent(s)" : "", millis);
            case ROLLED_BACK -> LOG.warn("Rolled back {} {} -> {}: {}", head.record.name(), head.target.version(),
                    head.old.version(), cause);
            case REFUSED -> LOG.warn("Refused {} {}: {}", head.record.name(), head.target.version(), cause);
            case FAILED -> LOG.error("Module {} FAILED reloading to {}: {}", head.record.name(), head.target.version(), cause);
        }
        return first;
    }

    private void publish(Step step, Phase phase, String failure) {
        ModuleGeneration gen = phase == Phase.UNLOAD || phase == Phase.QUIESCE ? step.old : step.fresh;
        pending.add(new HotplugEvent(step.record.name(), phase, step.old.version(), step.target.version().toString(),
                gen == null ? 0 : gen.number, failure, null));
    }
}
