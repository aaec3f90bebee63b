package dev.hotplug.framework;

import dev.hotplug.api.LoadReason;
import dev.hotplug.state.StateException;
import dev.hotplug.state.StateRecord;
import dev.hotplug.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A module's first start in this process, or again after it failed: staged, loaded with the state on disk, and when
 * its version fails (or is refused), the last version that ran instead. Called under the framework's operation lock.
 */
final class FirstStart {

    private static final Logger LOG = LoggerFactory.getLogger(FirstStart.class);

    private final FrameworkConfig config;
    private final Map<String, ModuleRecord> records;
    private final GenerationStager stager;
    private final GenerationLifecycle lifecycle;
    private final StateStore store;
    private final EventDispatcher events;
    private final Housekeeper housekeeper;

    FirstStart(FrameworkConfig config, Map<String, ModuleRecord> records, GenerationStager stager,
               GenerationLifecycle lifecycle, StateStore store, EventDispatcher events, Housekeeper housekeeper) {
        this.config = config;
        this.records = records;
        this.stager = stager;
        this.lifecycle = lifecycle;
        this.store = store;
        this.events = events;
        this.housekeeper = housekeeper;
    }

    /** A last-good version started in place of the folder's {@code jar}, which was refused for {@code refusal}. */
    record Fallback(Path jar, String refusal) {
    }

    /**
     * At a start, for a refused jar: the last version that ran of the module it names (or, when it names none, of the
     * module last deployed from a file of its name), read and copied; {@code null} when none was kept, it cannot be
     * read, or the module runs already. SPEC: a restart whose folder holds a version that fails comes back on the one
     * that ran, and a version refused at staging fails too.
     */
    ModuleSpec lastGoodFor(HotplugException refused, Path jar) {
        Optional<Path> lastGood;
        String name = refused.module();
        try {
            if (name == null) {
                // Too broken to name its module (truncated, say): the last-good jar deployed from this file name.
                name = store.moduleDeployedFrom(jar.getFileName().toString()).orElse(null);
                if (name == null) {
                    return null;
                }
            }
            if (records.containsKey(name) && records.get(name).active() != null) {
                return null;
            }
            lastGood = store.lastGood(name);
        } catch (StateException e) {
            LOG.warn("Refused {}: no last version that ran to start instead: {}", jar.getFileName(), e.getMessage());
            return null;
        }
        if (lastGood.isEmpty()) {
            return null;
        }
        try {
            ModuleSpec good = stager.copyAndRead(lastGood.get());
            LOG.warn("Module {}: {} is refused; starting the last version that ran, {}", name, jar.getFileName(),
                    good.version());
            return good;
        } catch (HotplugException e) {
            LOG.error("Module {}: the last version that ran cannot start either: {}", name, e.getMessage());
            return null;
        }
    }

    /** First start of a module in this process (or again after it failed). */
    void start(ModuleRecord record, ModuleSpec spec, Path source) {
        long started = System.nanoTime();
        if (record.state() == LifecycleState.FAILED) {
            record.moveTo(LifecycleState.STARTING);
        }
        record.source(source);
        record.spec(spec);
        record.waiting(false);
        ModuleGeneration gen;
        try {
            gen = stager.stage(record, spec, ModuleWiring.wire(spec, Map.of(), records.values(), config::hostProvides));
        } catch (HotplugException e) {
            finishStart(record, spec, null, started, e.getMessage(), e.getMessage().startsWith("Cannot resolve"));
            return;
        }
        Optional<StateRecord> saved = readState(record);
        String cause = tryLoad(gen, saved, started);
        if (cause == null) {
            return;
        }
        Optional<Path> lastGood = store.lastGood(record.name());
        if (lastGood.isPresent()) {
            try {
                ModuleSpec good = stager.copyAndRead(lastGood.get());
                if (!good.sha256().equals(spec.sha256())) {
                    LOG.warn("Module {} {} failed to start ({}); starting the last version that ran, {}", record.name(),
                            spec.version(), cause, good.version());
                    ModuleGeneration back = stager.stage(record, good, ModuleWiring.wire(good, Map.of(), records.values(),
                            config::hostProvides));
                    String backCause = tryLoad(back, saved, started);
                    if (backCause == null) {
                        GenerationStager.discardCopy(spec.jar());
                        record.lastError("Cannot start module " + record.name() + " " + spec.version() + ": " + cause
                                + "; running " + good.version() + ", the last version that ran");
                        return;
                    }
                    cause = cause + "; the last version that ran, " + good.version() + ", cannot start either: "
                            + backCause;
                } else {
                    GenerationStager.discardCopy(good.jar());
                }
            } catch (HotplugException e) {
                LOG.error("Module {}: the last version that ran cannot start either: {}", record.name(), e.getMessage());
            }
        }
        finishStart(record, spec, null, started, cause, false);
    }

    /** Loads a staged first generation; returns {@code null} when it serves, else the cause. */
    private String tryLoad(ModuleGeneration gen, Optional<StateRecord> saved, long started) {
        ModuleRecord record = gen.record;
        LoadReason reason = saved.isPresent() ? LoadReason.RESTORE : LoadReason.START;
        try {
            lifecycle.load(gen, saved.orElse(null), reason);
        } catch (LifecycleInvoker.Failure e) {
            lifecycle.release(gen);
            return GenerationLifecycle.describe(e);
        }
        record.swap(gen);
        record.spec(gen.spec);
        record.lastError(null);
        record.moveTo(LifecycleState.ACTIVE);
        finishStart(record, gen.spec, gen, started, null, false);
        housekeeper.keepLastGood(record.name(), gen.spec.jar(), record.source(), 0);
        LOG.info("Deployed {} {} (generation {}, {})", record.name(), gen.version(), gen.number, reason);
        return null;
    }

    private Optional<StateRecord> readState(ModuleRecord record) {
        try {
            return store.read(record.name());
        } catch (StateException e) {
            LOG.error("Module {}: {}; starting without state", record.name(), e.getMessage());
            return Optional.empty();
        }
    }

    private void finishStart(ModuleRecord record, ModuleSpec spec, ModuleGeneration gen, long started, String cause,
                             boolean waiting) {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        Outcome outcome = cause == null ? Outcome.SWAPPED : Outcome.FAILED;
        record.record(new HistoryEntry(record.name(), null, spec.version().toString(), outcome, millis, 0, cause,
                Instant.now()));
        if (cause != null) {
            fail(record, cause, waiting);
        }
        events.publish(new HotplugEvent(record.name(), Phase.LOAD, null, spec.version().toString(),
                gen == null ? 0 : gen.number, cause, outcome));
    }

    /** Marks {@code record} FAILED for {@code cause} (waiting for a provider when {@code waiting}), in one log line. */
    static void fail(ModuleRecord record, String cause, boolean waiting) {
        record.lastError(cause);
        record.waiting(waiting);
        if (record.state() != LifecycleState.FAILED) {
            record.moveTo(LifecycleState.FAILED);
        }
        LOG.error("Module {} FAILED: {}", record.name(), cause);
    }
}
