package dev.hotplug.framework;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Watches the modules folder on one daemon thread and hands complete jars and loose native libraries to a
 * {@link WatchReconciler}: the JDK
 * {@link WatchService} (inotify on Linux) for speed, a periodic full rescan for lost events, {@code OVERFLOW} and file
 * systems without events, and re-registration when the folder is deleted and created again. A jar counts as complete
 * when {@link JarCompleteness} accepts it and its size, modification time and file identity held still for the settle
 * window; a jar that arrived by atomic rename is accepted at once. A native library counts as complete when its size,
 * modification time and file identity held still for the settle window. {@link #start()} and {@link #close()} are
 * thread-safe; everything else runs on the watcher thread.
 */
final class FolderWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FolderWatcher.class);

    /** What a file looked like: a change in any part means it is still being written or was replaced. */
    record Look(long size, FileTime modified, Object fileKey) {
    }

    private record Pending(Look look, long sinceNanos) {
    }

    private static final long GATHER_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long GATHER_LIMIT_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Hotplug hotplug;
    private final Path folder;
    private final long settleNanos;
    private final long rescanNanos;
    private final WatchLog log = new WatchLog();
    private final WatchReconciler reconciler;
    private final Map<Path, Pending> pending = new LinkedHashMap<>();
    private final Map<Path, Look> decided = new HashMap<>();
    /** Paths whose attributes cannot be read (a symbolic link loop, say): warned about once. */
    private final Set<Path> unreadable = new HashSet<>();
    private WatchService service;
    private WatchKey folderKey;
    private WatchKey parentKey;
    private long nextRescan;
    private volatile boolean stopping;
    private volatile long rescans;
    private Thread thread;

    FolderWatcher(Hotplug hotplug, Path folder, long settleMillis, long rescanMillis) {
        this.hotplug = hotplug;
        this.folder = folder;
        this.settleNanos = TimeUnit.MILLISECONDS.toNanos(settleMillis);
        this.rescanNanos = TimeUnit.MILLISECONDS.toNanos(rescanMillis);
        this.reconciler = new WatchReconciler(hotplug, log, settleNanos);
    }

    /**
     * Registers the folder, takes in the jars the framework's start deployed, and starts the watcher thread. Jars no
     * module runs from yet (half-written at start, say) are looked at again on the thread.
     *
     * @throws HotplugException when the platform offers no watch service
     */
    synchronized void start() {
        if (thread != null || stopping) {
            return;
        }
        try {
            service = folder.getFileSystem().newWatchService();
        } catch (IOException e) {
            throw new HotplugException("Cannot watch modules folder " + folder + ": " + e, null, null, folder, e);
        }
        register();
        List<Path> present = list();
        for (Path path : present == null ? List.<Path>of() : present) {
            Look look = look(path);
            if (look == null) {
                continue;
            }
            if (WatchedNames.isNativeLibrary(path)) {
                try {
                    // Present at start: the modules deployed with it already use this content.
                    reconciler.adoptLibrary(path);
                    decided.put(path, look);
                    continue;
                } catch (IOException e) {
                    log.say(Level.WARN, "cannot read {} ({}); looking again", path.getFileName(), e.toString());
                }
            }
            boolean runs = hotplug.modules().stream().anyMatch(m -> path.equals(m.file()));
            if (runs && JarCompleteness.check(path) == null) {
                try {
                    reconciler.adopt(WatchedJar.read(path));
                    decided.put(path, look);
                    continue;
                } catch (IOException e) {
                    log.say(Level.WARN, "cannot read {} ({}); looking again", path.getFileName(), e.toString());
                }
            }
            pending.put(path, new Pending(look, System.nanoTime()));
        }
        nextRescan = System.nanoTime() + rescanNanos;
        thread = new Thread(this::run, "hotplug-watcher");
        thread.setDaemon(true);
        thread.start();
        LOG.info("Watching {} (settle window {} ms, rescan every {} ms)", folder,
                TimeUnit.NANOSECONDS.toMillis(settleNanos), TimeUnit.NANOSECONDS.toMillis(rescanNanos));
    }

    /** Adds an observer of decision lines ("Watch: deployed FILE: ..."); it runs on the watcher thread. */
    void observe(Consumer<String> observer) {
        log.observe(observer);
    }

    /** Stops the watcher thread, waiting for an operation in progress to finish. Idempotent. */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            stopping = true;
            running = thread;
            if (service != null) {
                try {
                    service.close();
                } catch (IOException e) {
                    LOG.warn("Cannot close the watch service of {}: {}", folder, e.toString());
                }
            }
        }
        if (running != null && running != Thread.currentThread()) {
            try {
                running.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (!stopping) {
            try {
                pass();
            } catch (ClosedWatchServiceException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (stopping) {
                    return;
                }
                LOG.error("Watch: a pass over {} failed: {}; going on", folder, e.toString(), e);
            }
        }
    }

    /** Waits for events or the next deadline, then acts on whatever is ready. */
    private void pass() throws InterruptedException {
        long now = System.nanoTime();
        // A removal that waits for a jar still being written is next looked at when that jar settles.
        long next = arriving() ? nextSettle() : Math.min(nextSettle(), reconciler.nextExpiry());
        long wait = Math.max(0, Math.min(nextRescan, next) - now);
        WatchKey key = service.poll(wait, TimeUnit.NANOSECONDS);
        Set<Path> created = new LinkedHashSet<>();
        Set<Path> changed = new LinkedHashSet<>();
        List<Path> removed = new ArrayList<>();
        boolean rescan = false;
        // A burst (an unpacked archive, a script copying many jars) arrives as a stream of events: gathering it for a
        // few ms lets its jars start together, providers first, at the price of that much latency.
        long gatherUntil = System.nanoTime() + GATHER_LIMIT_NANOS;
        for (; key != null; key = System.nanoTime() < gatherUntil ? service.poll(GATHER_GAP_NANOS, TimeUnit.NANOSECONDS)
                : service.poll()) {
            rescan |= drain(key, created, changed, removed);
        }
        if (rescan || System.nanoTime() >= nextRescan) {
            rescan(removed);
            rescans++;
        }
        List<Path> ready = new ArrayList<>();
        for (Path path : created) {
            Look look = look(path);
            if (look == null || look.equals(decided.get(path))) {
                continue;
            }
            // One create and no write after it: moved in whole, so it need not settle when its directory reads whole.
            if (!changed.contains(path) && WatchedNames.isModuleJar(path) && JarCompleteness.check(path) == null) {
                pending.remove(path);
                decided.put(path, look);
                ready.add(path);
            } else {
                changed.add(path);
            }
        }
        for (Path path : changed) {
            Look look = look(path);
            Pending before = pending.get(path);
            if (look != null && !look.equals(decided.get(path)) && (before == null || !before.look().equals(look))) {
                pending.put(path, new Pending(look, System.nanoTime()));
            }
        }
        settled(ready);
        if (!removed.isEmpty() || !ready.isEmpty()) {
            reconciler.apply(removed, ready);
        }
        reconciler.expire(arriving());
    }

    /** Whether a jar is still being written (settling): it may replace a removed one, which waits for it. */
    private boolean arriving() {
        return pending.keySet().stream().anyMatch(WatchedNames::isModuleJar);
    }

    /** Sorts one key's events; returns whether a full rescan is needed. */
    private boolean drain(WatchKey key, Set<Path> created, Set<Path> changed, List<Path> removed) {
        boolean rescan = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                log.say(Level.INFO, "events of {} overflowed; rescanning", folder);
                rescan = true;
                continue;
            }
            Path name = (Path) event.context();
            if (key == parentKey) {
                rescan |= name.equals(folder.getFileName());
                continue;
            }
            Path path = folder.resolve(name);
            if (!WatchedNames.isWatched(path)) {
                continue;
            }
            if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE) {
                created.add(path);
            } else if (event.kind() == StandardWatchEventKinds.ENTRY_MODIFY) {
                changed.add(path);
            } else if (event.kind() == StandardWatchEventKinds.ENTRY_DELETE) {
                created.remove(path);
                changed.remove(path);
                forget(path, removed);
            }
        }
        if (!key.reset() && key == folderKey) {
            log.say(Level.WARN, "modules folder {} is gone; waiting for it to come back", folder);
            folderKey = null;
            rescan = true;
        }
        return rescan;
    }

    /** Lists the folder: files not decided on in their current look start settling; vanished ones count as removed. */
    private void rescan(List<Path> removed) {
        nextRescan = System.nanoTime() + rescanNanos;
        if (folderKey == null || !folderKey.isValid()) {
            register();
        }
        List<Path> present = list();
        if (present == null) {
            return;
        }
        for (Path path : present) {
            Look look = look(path);
            if (look != null && !look.equals(decided.get(path)) && !pending.containsKey(path)) {
                pending.put(path, new Pending(look, System.nanoTime()));
            }
        }
        Set<Path> known = new LinkedHashSet<>(reconciler.trackedPaths());
        known.addAll(pending.keySet());
        known.addAll(decided.keySet());
        for (Path path : known) {
            if (!present.contains(path)) {
                forget(path, removed);
            }
        }
    }

    /** Moves settled pending files that read whole into {@code ready}; reports those that settled broken. */
    private void settled(List<Path> ready) {
        long now = System.nanoTime();
        for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Path, Pending> entry = it.next();
            Path path = entry.getKey();
            if (now - entry.getValue().sinceNanos() < settleNanos) {
                continue;
            }
            Look look = look(path);
            if (look == null) {
                it.remove();
                continue;
            }
            if (!look.equals(entry.getValue().look())) {
                entry.setValue(new Pending(look, now));
                continue;
            }
            it.remove();
            decided.put(path, look);
            String incomplete = WatchedNames.isModuleJar(path) ? JarCompleteness.verify(path) : null;
            if (incomplete == null) {
                ready.add(path);
            } else {
                log.say(Level.WARN, "ignored incomplete {}: {}; looking again when it changes", path.getFileName(), incomplete);
            }
        }
    }

    private long nextSettle() {
        long next = Long.MAX_VALUE;
        for (Pending p : pending.values()) {
            next = Math.min(next, p.sinceNanos() + settleNanos);
        }
        return next;
    }

    private void forget(Path path, List<Path> removed) {
        pending.remove(path);
        decided.remove(path);
        if (reconciler.tracks(path) && !removed.contains(path)) {
            removed.add(path);
        }
    }

    /** Registers the folder, or, while it is missing, its parent so that its return is noticed at once. */
    private void register() {
        try {
            folderKey = folder.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
            if (parentKey != null) {
                parentKey.cancel();
                parentKey = null;
                log.say(Level.INFO, "modules folder {} is back; watching it again", folder);
            }
        } catch (NoSuchFileException e) {
            folderKey = null;
            watchParent();
        } catch (IOException e) {
            folderKey = null;
            log.say(Level.WARN, "cannot register {} ({}); relying on rescans", folder, e.toString());
        }
    }

    private void watchParent() {
        Path parent = folder.getParent();
        if (parentKey != null && parentKey.isValid() || parent == null) {
            return;
        }
        try {
            parentKey = parent.register(service, StandardWatchEventKinds.ENTRY_CREATE);
        } catch (IOException e) {
            log.say(Level.WARN, "cannot watch {} for the modules folder's return ({}); relying on rescans", parent,
                    e.toString());
        }
    }

    /** The module jars and native libraries in the folder (none when it is missing), or {@code null} when it cannot be listed. */
    private List<Path> list() {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(WatchedNames::isWatched).sorted().toList();
        } catch (IOException e) {
            log.say(Level.WARN, "cannot list {} ({}); trying again at the next rescan", folder, e.toString());
            return null;
        }
    }

    /** How many full rescans of the folder ran; for tests that must see one pass by. */
    long rescans() {
        return rescans;
    }

    /** The file's look, or {@code null} when it is gone, unreadable (said once, not at every rescan) or not a file. */
    private Look look(Path path) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            unreadable.remove(path);
            return attributes.isRegularFile()
                    ? new Look(attributes.size(), attributes.lastModifiedTime(), attributes.fileKey()) : null;
        } catch (NoSuchFileException e) {
            unreadable.remove(path);
            return null;
        } catch (IOException e) {
            if (unreadable.add(path)) {
                log.say(Level.WARN, "cannot read the attributes of {} ({}); looking again at each rescan, quietly",
                        path.getFileName(), e.toString());
            }
            return null;
        }
    }
}
