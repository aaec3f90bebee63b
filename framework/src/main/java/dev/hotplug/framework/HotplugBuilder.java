package dev.hotplug.framework;

import dev.hotplug.api.ModuleException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds a {@link Hotplug}: folders, host-shared packages, time limits, watching, listeners. Not thread-safe; made by
 * {@link Hotplug#builder()}.
 */
public final class HotplugBuilder {
    private Path modulesFolder = Path.of("modules");
    private Path stateFolder = Path.of(".hotplug", "state");
    private Path cacheFolder;
    private ClassLoader hostLoader = Hotplug.class.getClassLoader();
    private final Set<String> shared = new LinkedHashSet<>(GenerationStager.defaultSharedPackages());
    private Duration lifecycleTimeout = Duration.ofSeconds(30);
    private Duration serviceWait = Duration.ofSeconds(10);
    private Duration drainTimeout = Duration.ofSeconds(5);
    private Duration threadJoin = Duration.ofSeconds(2);
    private final List<HotplugListener> listeners = new ArrayList<>();
    private boolean watch;
    private Duration rescanInterval = Duration.ofSeconds(2);
    private Duration settleWindow = Duration.ofMillis(50);

    HotplugBuilder() {
    }

    /** The watched folder module jars are deployed from. */
    public HotplugBuilder modulesFolder(Path folder) {
        this.modulesFolder = folder;
        return this;
    }

    /** Where state files, last-good jars and module data live. */
    public HotplugBuilder stateFolder(Path folder) {
        this.stateFolder = folder;
        return this;
    }

    /** Where per-process caches (jar copies, generation folders) live; defaults to {@code <state>/cache}. Caches of processes that are gone are swept at build. */
    public HotplugBuilder cacheFolder(Path folder) {
        this.cacheFolder = folder;
        return this;
    }

    /** Shares host packages with every module: exact names, or {@code prefix.*}. */
    public HotplugBuilder share(ClassLoader host, String... packages) {
        this.hostLoader = host;
        shared.addAll(List.of(packages));
        return this;
    }

    /** Default time limit of a lifecycle method (30 s unless set). */
    public HotplugBuilder lifecycleTimeout(Duration limit) {
        this.lifecycleTimeout = limit;
        return this;
    }

    /** How long a service call waits for a provider, or for a reload to finish (10 s unless set). */
    public HotplugBuilder serviceWait(Duration wait) {
        this.serviceWait = wait;
        return this;
    }

    /** How long a reload waits for calls in flight before it is abandoned (5 s unless set). */
    public HotplugBuilder drainTimeout(Duration wait) {
        this.drainTimeout = wait;
        return this;
    }

    /** How long an unload waits for the generation's threads to end (2 s unless set). */
    public HotplugBuilder threadJoin(Duration wait) {
        this.threadJoin = wait;
        return this;
    }

    /**
     * Whether {@link Hotplug#start()} keeps watching the modules folder, deploying, reloading and undeploying jars
     * as they are dropped, replaced and deleted (off unless set; {@code ./hotplug run} turns it on).
     */
    public HotplugBuilder watch(boolean enabled) {
        this.watch = enabled;
        return this;
    }

    /** How often the watcher lists the whole folder, for events lost or not delivered (2 s unless set). */
    public HotplugBuilder rescanInterval(Duration interval) {
        this.rescanInterval = interval;
        return this;
    }

    /** How long a written jar's size and modification time must hold still before it is acted on (50 ms unless set). */
    public HotplugBuilder settleWindow(Duration window) {
        this.settleWindow = window;
        return this;
    }

    /** Adds a listener for module events. */
    public HotplugBuilder listener(HotplugListener listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * Creates the folders and the framework; nothing is deployed until {@link Hotplug#start()}.
     *
     * @throws HotplugException when a folder cannot be created or a setting is invalid
     */
    public Hotplug build() {
        try {
            Path modules = Files.createDirectories(modulesFolder).toAbsolutePath();
            Path state = Files.createDirectories(stateFolder).toAbsolutePath();
            long settle = Math.max(0, settleWindow.toMillis());
            long rescan = watch ? positive(rescanInterval, "rescan interval") : 0;
            long lifecycle = positive(lifecycleTimeout, "lifecycle timeout");
            long wait = positive(serviceWait, "service wait");
            long drain = positive(drainTimeout, "drain timeout");
            long join = positive(threadJoin, "thread join");
            StateFolderLock claim = StateFolderLock.claim(state);
            try {
                ProcessCache cache = ProcessCache.create(cacheFolder != null ? cacheFolder.toAbsolutePath()
                        : state.resolve("cache"));
                FrameworkConfig config = new FrameworkConfig(modules, state, cache.folder(), hostLoader,
                        Set.copyOf(shared), lifecycle, wait, drain, join);
                return new Hotplug(config, cache, claim, listeners, settle, rescan);
            } catch (IOException | RuntimeException e) {
                claim.close();
                throw e;
            }
        } catch (IOException e) {
            throw new HotplugException("Cannot create Hotplug folders: " + e, null, null, null, e);
        }
    }

    private static long positive(Duration value, String what) {
        if (value.isNegative() || value.isZero()) {
            throw new ModuleException(null, "Cannot build Hotplug: " + what + " must be positive, got " + value, null);
        }
        return value.toMillis();
    }
}
