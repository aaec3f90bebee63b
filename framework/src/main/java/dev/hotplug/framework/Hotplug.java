package dev.hotplug.framework;

import dev.hotplug.api.LoadReason;
import dev.hotplug.isolation.LeakWatcher;
import dev.hotplug.state.StateRecord;
import dev.hotplug.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The embedding API: a running Hotplug framework over a modules folder and a state folder. Made by {@link #builder()};
 * {@link #start()} deploys every module jar in the folder; {@link #close()} unloads every module, writes its state and
 * runs its {@code @Shutdown}. Thread-safe: operations that change modules run one at a time and block until done.
 */
public final class Hotplug implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Hotplug.class);

    private final FrameworkConfig config;
    private final ProcessCache cache;
    private final ReentrantLock operations = new ReentrantLock();
    private final Map<String, ModuleRecord> records = new ConcurrentHashMap<>();
    private final ServiceRegistry services;
    /** Shared by the service slots and by the framework's own threads, which rest in it between tasks. */
    private final CallDrain drain = new CallDrain();
    private final EventDispatcher events = new EventDispatcher(drain);
    private final LifecycleInvoker invoker = new LifecycleInvoker(drain);
    private final LeakWatcher leaks = new LeakWatcher();
    private final StateStore store;
    private final Housekeeper housekeeper;
    private final GenerationStager stager;
    private final ReloadTransaction transaction;
    private final Deployer deployer;
    private final FolderWatcher watcher;
    private final ModuleBeans beans = new ModuleBeans(this);
    private final StateFolderLock claim;
    private volatile boolean closed;

    Hotplug(FrameworkConfig config, ProcessCache cache, StateFolderLock claim, List<HotplugListener> listeners,
            long settleMillis, long rescanMillis) {
        this.config = config;
        this.cache = cache;
        this.claim = claim;
        this.watcher = rescanMillis > 0 ? new FolderWatcher(this, config.modulesFolder(), settleMillis, rescanMillis)
                : null;
        this.services = new ServiceRegistry(config.serviceWaitMillis(), drain);
        listeners.forEach(events::add);
        events.add(beans);
        this.store = new StateStore(config.stateFolder(), line -> LOG.error("{}", line));
        this.housekeeper = new Housekeeper(store, drain);
        this.stager = new GenerationStager(config, services, housekeeper);
        GenerationLifecycle lifecycle = new GenerationLifecycle(config, invoker, services, leaks, housekeeper);
        this.transaction = new ReloadTransaction(config, services, stager, lifecycle, store, events, records.values(),
                housekeeper);
        this.deployer = new Deployer(config, services, records, stager, lifecycle, transaction, store, events,
                housekeeper);
    }

    /** A builder with SPEC's defaults: modules in {@code ./modules}, state in {@code ./.hotplug/state}. */
    public static HotplugBuilder builder() {
        return new HotplugBuilder();
    }

    /**
     * Deploys every {@code *.jar} in the modules folder, providers first. Bad jars are reported one line each and
     * start nothing. Blocks until every module is up or failed.
     */
    public void start() {
        locked(() -> {
            List<Path> jars = new ArrayList<>();
            try (Stream<Path> files = Files.list(config.modulesFolder())) {
                files.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p)).sorted()
                        .forEach(jars::add);
            } catch (IOException e) {
                throw new HotplugException("Cannot list modules folder " + config.modulesFolder() + ": " + e, null, null,
                        config.modulesFolder(), e);
            }
            deployer.startAll(jars);
            return null;
        });
        if (watcher != null) {
            watcher.start();
        }
    }

    /** The folder watcher, or {@code null} when this framework does not watch its folder. */
    FolderWatcher watcher() {
        return watcher;
    }

    /** Starts the module jars in {@code jars} together, providers first; for the folder watcher's bursts. */
    void deployAll(List<Path> jars) {
        locked(() -> {
            deployer.startAll(jars);
            deployer.retryWaiting();
            return null;
        });
    }

    /**
     * Deploys the module jar at {@code jar}: starts it, or, when a module of that name serves, reloads it through the
     * transaction. Blocks until done; returns the module as it is afterwards.
     *
     * @throws HotplugException when the jar is not a valid module (nothing running is disturbed)
     */
    public ModuleInfo deploy(Path jar) {
        return locked(() -> {
            String name = deployer.deploy(jar);
            deployer.retryWaiting();
            return info(records.get(name));
        });
    }

    /**
     * Takes module {@code name} out: its state is written, {@code @Shutdown} runs, and modules importing from it stop and
     * wait for a provider.
     *
     * @throws HotplugException when no module has that name
     */
    public void undeploy(String name) {
        locked(() -> {
            deployer.undeploy(record(name, "undeploy"));
            beans.removed(name);
            return null;
        });
    }

    /**
     * Reloads module {@code name} from the jar it was deployed from, through the transaction. Blocks until done.
     *
     * @throws HotplugException when no module has that name or none of its versions serves
     */
    public HistoryEntry reload(String name) {
        return locked(() -> {
            ModuleRecord record = serving(name, "reload");
            ModuleSpec spec = stager.copyAndRead(record.source());
            HistoryEntry entry = transaction.run(record, spec, LoadReason.RELOAD);
            deployer.retryWaiting();
            return entry;
        });
    }

    /**
     * Reloads, through the transaction, every module whose serving generation loaded the loose native library
     * {@code library} (its name in the watched folder, or the file a link there points to); for the folder watcher.
     * Blocks until done; returns one history entry per reload, empty when no serving module loaded it. A module whose
     * jar cannot be read any more is logged and skipped.
     */
    List<HistoryEntry> reloadUsersOf(Path library) {
        Path wanted = library.toAbsolutePath().normalize();
        return locked(() -> {
            List<HistoryEntry> entries = new ArrayList<>();
            for (ModuleRecord record : List.copyOf(records.values())) {
                ModuleGeneration gen = record.active();
                if (gen == null || !gen.natives.looseSources().contains(wanted)) {
                    continue;
                }
                try {
                    entries.add(transaction.run(record, stager.copyAndRead(record.source()), LoadReason.RELOAD));
                } catch (HotplugException e) {
                    LOG.error("Cannot reload module {} for changed native library {}: {}", record.name(),
                            library.getFileName(), e.getMessage());
                }
            }
            deployer.retryWaiting();
            return entries;
        });
    }

    /**
     * Brings module {@code name} back to the version that served before the current one (kept as its versioned
     * copy), carrying the current state; {@code @Load} sees {@link LoadReason#ROLLBACK}.
     *
     * @throws HotplugException when no module has that name, or it has no previous version in this process
     */
    public HistoryEntry rollback(String name) {
        return locked(() -> {
            ModuleRecord record = serving(name, "roll back");
            Path previous = record.previousCopy();
            if (previous == null || !Files.exists(previous)) {
                throw new HotplugException("Cannot roll back module " + name + ": no previous version ran in this process",
                        name, null, null);
            }
            ModuleSpec spec = ManifestReader.read(previous);
            return transaction.run(record, spec, LoadReason.ROLLBACK);
        });
    }

    /** Every module, sorted by name. */
    public List<ModuleInfo> modules() {
        List<ModuleInfo> all = new ArrayList<>();
        for (ModuleRecord record : records.values()) {
            all.add(info(record));
        }
        all.sort(Comparator.comparing(ModuleInfo::name));
        return all;
    }

    /** Module {@code name}, or empty when no module has that name. */
    public Optional<ModuleInfo> module(String name) {
        ModuleRecord record = records.get(name);
        return record == null ? Optional.empty() : Optional.of(info(record));
    }

    /** Module {@code name}'s reload attempts, oldest first; empty when no module has that name. */
    public List<HistoryEntry> history(String name) {
        ModuleRecord record = records.get(name);
        return record == null ? List.of() : record.history();
    }

    /** The state last written for module {@code name}, read from disk; empty when none was written. */
    public Optional<StateRecord> savedState(String name) {
        return store.read(name);
    }

    /**
     * Released generations still alive: classloaders reachable after a few GC rounds, or code still run by a thread.
     * Blocks for the GC rounds (a few hundred ms at most), then until the files of the generations found collected
     * and of retired jar copies are deleted (up to 10 s), so the disk agrees with the report.
     */
    public List<LeakWatcher.Leak> leaks() {
        List<LeakWatcher.Leak> found = leaks.check(5);
        if (!housekeeper.flush(10_000)) {
            LOG.warn("Housekeeping did not finish within 10 s: released generations' files may still be on disk");
        }
        return found;
    }

    /** Publishes a host service that modules reach through {@code context.service(type)}. */
    public <T> void register(Class<T> type, T implementation) {
        services.register("host", 0, type, implementation);
    }

    /** A stable proxy for a service a module provides; {@code type} must be shared with the modules. */
    public <T> T service(Class<T> type) {
        return services.proxy(type);
    }

    /** Adds a listener for module events. */
    public void addListener(HotplugListener listener) {
        events.add(listener);
    }

    /** Removes a listener. */
    public void removeListener(HotplugListener listener) {
        events.remove(listener);
    }

    /** The modules folder. */
    public Path modulesFolder() {
        return config.modulesFolder();
    }

    /** The state folder. */
    public Path stateFolder() {
        return config.stateFolder();
    }

    /**
     * Graceful stop: unloads every module (importers first), writes its state, runs its {@code @Shutdown}, then removes
     * this process's cache. Idempotent; blocks until done.
     */
    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        operations.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            long serving = records.values().stream().filter(r -> r.active() != null).count();
            LOG.info("Stopping: unloading {} module(s), writing their state, running @Shutdown", serving);
            deployer.stopAll();
            LOG.info("Stopped: {} module(s) unloaded", serving);
        } finally {
            operations.unlock();
        }
        leaks.check(3);
        invoker.close();
        events.close();
        housekeeper.close();
        beans.close();
        try {
            cache.close();
        } catch (IOException e) {
            LOG.warn("Cannot delete cache folder {}: {}", config.cacheFolder(), e.toString());
        }
        try {
            claim.close();
        } catch (IOException e) {
            LOG.warn("Cannot release the lock on state folder {}: {}", config.stateFolder(), e.toString());
        }
    }

    private ModuleRecord record(String name, String action) {
        ModuleRecord record = records.get(name);
        if (record == null) {
            throw new HotplugException("Cannot " + action + " module " + name + ": no such module", name, null, null);
        }
        return record;
    }

    private ModuleRecord serving(String name, String action) {
        ModuleRecord record = record(name, action);
        if (record.active() == null) {
            throw new HotplugException("Cannot " + action + " module " + name + ": no version of it serves ("
                    + record.lastError() + ")", name, null, record.source());
        }
        return record;
    }

    private <T> T locked(java.util.function.Supplier<T> operation) {
        operations.lock();
        try {
            if (closed) {
                throw new HotplugException("Cannot change modules: the framework is closed", null, null, null);
            }
            T result = operation.get();
            leaks.drainCollected();
            return result;
        } finally {
            operations.unlock();
        }
    }

    private ModuleInfo info(ModuleRecord record) {
        ModuleGeneration gen = record.active();
        ModuleSpec spec = gen != null ? gen.spec : record.spec();
        List<String> natives = new ArrayList<>();
        if (gen != null) {
            gen.natives.loaded().forEach(l -> natives.add(l.name() + ": " + l.source() + " -> " + l.copy()));
        }
        return new ModuleInfo(record.name(), spec == null ? null : spec.version().toString(), gen == null ? 0 : gen.number,
                record.state().status(), record.source(),
                spec == null ? List.of() : spec.exports().stream().map(PackageExport::toString).toList(),
                spec == null ? List.of() : spec.imports().stream().map(PackageImport::toString).toList(),
                services.servicesOf(record.name()), natives, record.lastError(), record.reloads());
    }
}
