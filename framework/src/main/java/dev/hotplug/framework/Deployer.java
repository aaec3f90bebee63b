package dev.hotplug.framework;

import dev.hotplug.api.LoadReason;
import dev.hotplug.state.StateException;
import dev.hotplug.state.StateRecord;
import dev.hotplug.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Brings modules into the process and takes them out: the start of a folder's jars (each first start is
 * {@link FirstStart}'s), deploy of a jar (a reload when the name runs already), undeploy, and the graceful stop of all.
 * Called under the framework's operation lock.
 */
final class Deployer {

    private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);

    private final FrameworkConfig config;
    private final ServiceRegistry services;
    private final Map<String, ModuleRecord> records;
    private final GenerationStager stager;
    private final GenerationLifecycle lifecycle;
    private final ReloadTransaction transaction;
    private final StateStore store;
    private final EventDispatcher events;
    private final Housekeeper housekeeper;
    private final FirstStart firstStart;

    Deployer(FrameworkConfig config, ServiceRegistry services, Map<String, ModuleRecord> records, GenerationStager stager,
             GenerationLifecycle lifecycle, ReloadTransaction transaction, StateStore store, EventDispatcher events,
             Housekeeper housekeeper) {
        this.config = config;
        this.services = services;
        this.records = records;
        this.stager = stager;
        this.lifecycle = lifecycle;
        this.transaction = transaction;
        this.store = store;
        this.events = events;
        this.housekeeper = housekeeper;
        this.firstStart = new FirstStart(config, records, stager, lifecycle, store, events, housekeeper);
    }

    /** Starts every module jar in {@code jars}: bad ones reported one line each, the rest in dependency order. */
    void startAll(List<Path> jars) {
        List<ModuleSpec> specs = new ArrayList<>();
        Map<ModuleSpec, FirstStart.Fallback> fallbacks = new HashMap<>();
        for (Path jar : jars) {
            try {
                specs.add(stager.copyAndRead(jar));
            } catch (HotplugException e) {
                LOG.error("Refused {}: {}", jar.getFileName(), e.getMessage());
                ModuleSpec good = firstStart.lastGoodFor(e, jar);
                if (good != null) {
                    specs.add(good);
                    fallbacks.put(good, new FirstStart.Fallback(jar, e.getMessage()));
                }
            }
        }
        List<ModuleSpec> running = new ArrayList<>();
        for (ModuleRecord record : records.values()) {
            if (record.active() != null) {
                running.add(record.active().spec);
            }
        }
        DependencyResolver.Resolution resolution = DependencyResolver.resolve(specs, running, config::hostProvides);
        resolution.superseded().forEach((jar, line) -> {
            LOG.warn("Ignored {}: {}", jar.getFileName(), line);
            GenerationStager.discardCopy(jar);
        });
        resolution.refused().forEach((name, line) -> LOG.error("Refused module {}: {}", name, line));
        for (ModuleSpec spec : specs) {
            if (resolution.refused().containsKey(spec.name()) && !resolution.order().contains(spec)) {
                ModuleRecord record = records.computeIfAbsent(spec.name(), ModuleRecord::new);
                record.spec(spec);
                record.source(sourceOf(jars, spec));
                // Waiting: retryWaiting starts it once ModuleWiring finds every import an exporter (never, for a cycle
                // whose members all wait).
                FirstStart.fail(record, resolution.refused().get(spec.name()), true);
            }
        }
        for (ModuleSpec spec : resolution.order()) {
            ModuleRecord record = records.computeIfAbsent(spec.name(), ModuleRecord::new);
            FirstStart.Fallback fallback = fallbacks.get(spec);
            firstStart.start(record, spec, fallback == null ? sourceOf(jars, spec) : fallback.jar());
            if (fallback != null && record.active() != null) {
                record.lastError(fallback.refusal() + "; running " + spec.version() + ", the last version that ran");
            }
        }
    }

    private static Path sourceOf(List<Path> jars, ModuleSpec spec) {
        Path copyName = spec.jar().getFileName();
        for (Path jar : jars) {
            if (copyName.equals(jar.getFileName())) {
                return jar;
            }
        }
        return spec.jar();
    }

    /**
     * Deploys the jar at {@code source}: starts it when its name is new (or failed), reloads it when its name serves.
     * Returns the module name.
     *
     * @throws HotplugException when the jar is not a valid module
     */
    String deploy(Path source) {
        ModuleSpec spec;
        try {
            spec = stager.copyAndRead(source);
        } catch (HotplugException e) {
            LOG.error("Refused {}: {}", source.getFileName(), e.getMessage());
            ModuleRecord serving = e.module() == null ? null : records.get(e.module());
            if (serving != null && serving.active() != null) {
                // A refused new version of a serving module belongs in its history, as the transaction's refusals do.
                serving.record(new HistoryEntry(serving.name(), serving.active().version(), e.version(), Outcome.REFUSED,
                        0, 0, e.getMessage(), Instant.now()));
                serving.lastError(e.getMessage());
            }
            throw e;
        }
        ModuleRecord record = records.computeIfAbsent(spec.name(), ModuleRecord::new);
        ModuleGeneration active = record.active();
        if (active != null) {
            if (active.spec.sha256().equals(spec.sha256())) {
                LOG.info("Unchanged {}: {} {} serves this content already", source.getFileName(), spec.name(), spec.version());
                GenerationStager.discardCopy(spec.jar());
                if (record.source() != null && !Files.exists(record.source())) {
                    // Its jar was renamed (or removed and put back under another name): name the file that exists.
                    record.source(source);
                }
                return spec.name();
            }
            Path previous = record.source();
            record.source(source);
            HistoryEntry entry = transaction.run(record, spec, LoadReason.RELOAD);
            if ((entry.outcome() == Outcome.ROLLED_BACK || entry.outcome() == Outcome.REFUSED) && previous != null
                    && Files.exists(previous)) {
                // The old version serves again, so its file stays the one `reload NAME` and `info` name; unless that
                // file is gone (the folder's jar was replaced under another name): then the new one is the module's.
                record.source(previous);
            }
            return spec.name();
        }
        firstStart.start(record, spec, source);
        return spec.name();
    }

    /** Starts again every module that waits for a provider and whose imports now all have an exporter. */
    void retryWaiting() {
        for (ModuleRecord record : List.copyOf(records.values())) {
            if (record.waiting() && record.active() == null && record.spec() != null
                    && ModuleWiring.resolvable(record.spec(), records.values(), config::hostProvides)) {
                firstStart.start(record, record.spec(), record.source());
            }
        }
        reportWaitingCycles();
    }

    /**
     * Modules that arrived one at a time and wait for each other in a cycle would wait forever, each saying only that
     * no running module exports what it imports: name the cycle, once, as a start of them all together does.
     */
    private void reportWaitingCycles() {
        List<ModuleSpec> waiting = new ArrayList<>();
        List<ModuleSpec> running = new ArrayList<>();
        for (ModuleRecord record : records.values()) {
            if (record.active() != null) {
                running.add(record.active().spec);
            } else if (record.waiting() && record.spec() != null) {
                waiting.add(record.spec());
            }
        }
        if (waiting.size() < 2) {
            return;
        }
        DependencyResolver.resolve(waiting, running, config::hostProvides).refused().forEach((name, line) -> {
            ModuleRecord record = records.get(name);
            if (line.contains("dependency cycle") && record != null && !line.equals(record.lastError())) {
                record.lastError(line);
                LOG.error("Module {} waits in a {}", name, line.substring(line.indexOf("dependency cycle")));
            }
        });
    }

    /**
     * Takes {@code record} out of the process: modules linking against it stop and wait for a provider; it unloads
     * (state written), runs {@code @Shutdown} and is released.
     */
    void undeploy(ModuleRecord record) {
        List<ModuleRecord> dependents = ModuleWiring.dependentsOf(record, records.values());
        for (int i = dependents.size() - 1; i >= 0; i--) {
            ModuleRecord dependent = dependents.get(i);
            // It leaves the process until a provider comes back: @Shutdown now, and @Startup again when it returns,
            // so the two stay paired even if it is undeployed or the framework stops while it waits.
            stop(dependent, true);
            dependent.forgetStartup();
            FirstStart.fail(dependent, "Cannot run module " + dependent.name() + ": its provider " + record.name()
                    + " was undeployed; it starts again when a provider comes back", true);
        }
        stop(record, true);
        if (record.state() == LifecycleState.FAILED) {
            record.moveTo(LifecycleState.STOPPING);
        }
        record.moveTo(LifecycleState.REMOVED);
        records.remove(record.name(), record);
        LOG.info("Undeployed {}", record.name());
    }

    /** Unloads every serving module (importers first), writing state, then runs each one's {@code @Shutdown}. */
    void stopAll() {
        List<ModuleRecord> order = new ArrayList<>();
        for (ModuleRecord record : records.values()) {
            if (record.active() != null && !order.contains(record)) {
                List<ModuleRecord> chain = new ArrayList<>(ModuleWiring.dependentsOf(record, records.values()));
                chain.add(0, record);
                for (ModuleRecord r : chain) {
                    order.remove(r);
                    order.add(r);
                }
            }
        }
        for (int i = order.size() - 1; i >= 0; i--) {
            stop(order.get(i), true);
            order.get(i).moveTo(LifecycleState.REMOVED);
        }
    }

    /** Quiesces, unloads (state written), optionally runs {@code @Shutdown}, releases. Never throws. */
    private void stop(ModuleRecord record, boolean shutdown) {
        ModuleGeneration gen = record.active();
        if (gen == null) {
            return;
        }
        record.moveTo(LifecycleState.STOPPING);
        Set<String> quiesced = Set.of(record.name());
        if (!services.quiesce(quiesced, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.drainTimeoutMillis()))) {
            LOG.warn("Module {}: calls still in flight after {} ms; unloading anyway", gen.label(),
                    config.drainTimeoutMillis());
        }
        try {
            StateRecord state = lifecycle.unload(gen);
            if (state != null) {
                store.write(state);
            }
            events.publish(new HotplugEvent(record.name(), Phase.UNLOAD, gen.version(), null, gen.number, null, null));
        } catch (LifecycleInvoker.Failure e) {
            LOG.error("Module {}: {}; the state last written stays on disk", gen.label(), GenerationLifecycle.describe(e));
        } catch (StateException e) {
            LOG.error("Module {}: {}; the state last written stays on disk", gen.label(), e.getMessage());
        }
        if (shutdown) {
            try {
                lifecycle.shutdown(gen);
                events.publish(new HotplugEvent(record.name(), Phase.SHUTDOWN, gen.version(), null, gen.number, null, null));
            } catch (LifecycleInvoker.Failure e) {
                LOG.error("Module {}: {}", gen.label(), GenerationLifecycle.describe(e));
            }
            record.resources().clear();
        }
        record.swap(null);
        lifecycle.release(gen);
        services.resume(quiesced);
    }
}
