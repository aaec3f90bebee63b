package dev.hotplug.framework;

import dev.hotplug.nativelib.NativeNamespace;
import org.slf4j.event.Level;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns what the folder watcher saw (complete jars, removed jars, changed native libraries) into framework operations,
 * one log line per decision: new module names start together in dependency order, changed jars reload, removed jars
 * undeploy or fall back to another jar of the same name, a loose native library whose content changed reloads every
 * module whose serving generation loaded it. Of several jars claiming one name, the highest version runs. The removal
 * of the jar a module runs from waits out the settle window: a jar of the same name arriving meanwhile (unlink and
 * rename, a rename within the folder) replaces it as one change. Confined to the watcher thread.
 */
final class WatchReconciler {

    /** The jar a module runs from, removed at {@code sinceNanos}; acted on when nothing replaced it in time. */
    private record Leaving(WatchedJar jar, long sinceNanos) {
    }

    private final Hotplug hotplug;
    private final WatchLog log;
    private final long settleNanos;
    private final Map<Path, WatchedJar> tracked = new HashMap<>();
    /** Loose native library → SHA-256 of the content last acted on (or present at start). */
    private final Map<Path, String> libraries = new HashMap<>();
    /** Module name → the removed jar it still runs from, until a jar of the name arrives or the window passes. */
    private final Map<String, Leaving> leaving = new LinkedHashMap<>();

    WatchReconciler(Hotplug hotplug, WatchLog log, long settleNanos) {
        this.hotplug = hotplug;
        this.log = log;
        this.settleNanos = settleNanos;
    }

    /** Remembers {@code jar} as present without acting on it: the framework's start deployed it already. */
    void adopt(WatchedJar jar) {
        tracked.put(jar.path(), jar);
    }

    /** Remembers the content of native library {@code path} without acting on it: modules started with it. */
    void adoptLibrary(Path path) throws IOException {
        libraries.put(path, FileDigest.of(path));
    }

    /** Whether {@code path} is known as a jar or native library of the folder. */
    boolean tracks(Path path) {
        return tracked.containsKey(path) || libraries.containsKey(path);
    }

    /** Every tracked path, for noticing removals. */
    List<Path> trackedPaths() {
        List<Path> paths = new ArrayList<>(tracked.keySet());
        paths.addAll(libraries.keySet());
        return paths;
    }

    /** Acts on one pass of the watcher: {@code removed} files first, then the complete files in {@code ready}. */
    void apply(List<Path> removed, List<Path> ready) {
        for (Path path : removed) {
            removed(path);
        }
        List<WatchedJar> fresh = new ArrayList<>();
        List<Path> changedLibraries = new ArrayList<>();
        for (Path path : ready) {
            if (WatchedNames.isNativeLibrary(path)) {
                changedLibraries.add(path);
                continue;
            }
            WatchedJar jar;
            try {
                jar = WatchedJar.read(path);
            } catch (IOException e) {
                log.say(Level.WARN, "ignored {}: cannot read it yet ({}); looking again when it changes", path.getFileName(),
                        e.toString());
                continue;
            }
            WatchedJar before = tracked.put(path, jar);
            if (before != null && before.name() != null && !before.name().equals(jar.name()) && runsFrom(before)) {
                // The file a module runs from now holds another module: for the first, its jar is gone.
                log.say(Level.WARN, "replaced {}: the jar module {} runs from now holds {}; {} leaves unless a jar of it "
                        + "arrives", before.label(), before.name(), jar.label(), before.name());
                leaving.put(before.name(), new Leaving(before, System.nanoTime()));
            }
            // Unchanged content is skipped only while its module serves: copying the same jar again is how a user
            // retries a module that failed to start, or brings back one undeployed from the console.
            if (before != null && before.sha256().equals(jar.sha256()) && serves(jar.name())) {
                log.say(Level.INFO, "ignored unchanged {}: same content as before", jar.label());
                continue;
            }
            fresh.add(jar);
        }
        List<WatchedJar> starts = new ArrayList<>();
        for (WatchedJar jar : fresh) {
            if (jar.name() == null) {
                deploy(jar, "deployed");
                continue;
            }
            Leaving gone = leaving.remove(jar.name());
            if (gone != null && runsFrom(gone.jar())) {
                replaced(gone.jar(), winner(jar.name(), jar));
                continue;
            }
            WatchedJar winner = winner(jar.name(), jar);
            if (winner != jar) {
                log.say(Level.WARN, "ignored {}: module {} {} from {} is the higher version and runs", jar.label(), jar.name(),
                        winner.version(), winner.path().getFileName());
            } else if (serving(jar.name()).isPresent()) {
                deploy(jar, "reloaded");
            } else {
                starts.add(jar);
            }
        }
        start(starts);
        changedLibraries.forEach(this::libraryChanged);
    }

    /**
     * Acts on the removals no jar of the same name replaced within the settle window, unless {@code arriving}: a jar
     * still being written into the folder may be the replacement, and its name is known only once it is complete.
     */
    void expire(boolean arriving) {
        if (arriving) {
            return;
        }
        long now = System.nanoTime();
        List<WatchedJar> expired = new ArrayList<>();
        for (var it = leaving.values().iterator(); it.hasNext(); ) {
            Leaving gone = it.next();
            if (now - gone.sinceNanos() >= settleNanos) {
                it.remove();
                expired.add(gone.jar());
            }
        }
        expired.forEach(this::gone);
    }

    /** When {@link #expire} next has something to do; {@link Long#MAX_VALUE} when no removal waits. */
    long nextExpiry() {
        long next = Long.MAX_VALUE;
        for (Leaving gone : leaving.values()) {
            next = Math.min(next, gone.sinceNanos() + settleNanos);
        }
        return next;
    }

    private boolean serves(String module) {
        return module != null && hotplug.module(module).map(m -> m.status() == ModuleStatus.ACTIVE).orElse(false);
    }

    /** Reloads the modules whose serving generation loaded {@code path}, unless its content is what they loaded. */
    private void libraryChanged(Path path) {
        String sha;
        String problem;
        try {
            sha = FileDigest.of(path);
            problem = NativeNamespace.headerProblem(path);
        } catch (IOException e) {
            log.say(Level.WARN, "ignored {}: cannot read it yet ({}); looking again when it changes", path.getFileName(),
                    e.toString());
            return;
        }
        if (problem != null) {
            // Checked here, as a jar's libraries are at staging: no module is unloaded for a library that cannot load.
            boolean partial = problem.startsWith("is truncated");
            log.say(partial ? Level.WARN : Level.ERROR, "{} {}: it {}; modules keep the library they loaded, looking "
                    + "again when it changes", partial ? "ignored incomplete" : "refused", path.getFileName(), problem);
            return;
        }
        if (sha.equals(libraries.put(path, sha))) {
            log.say(Level.INFO, "ignored unchanged {}: same content as before", path.getFileName());
            return;
        }
        List<HistoryEntry> reloads = hotplug.reloadUsersOf(path);
        if (reloads.isEmpty()) {
            log.say(Level.INFO, "noted {}: no serving module loaded it", path.getFileName());
        }
        for (HistoryEntry entry : reloads) {
            if (entry.outcome() == Outcome.SWAPPED) {
                log.say(Level.INFO, "reloaded {} {}: native library {} changed", entry.module(), entry.to(),
                        path.getFileName());
            } else if (entry.outcome() == Outcome.ROLLED_BACK) {
                log.say(Level.WARN, "rolled back {} {}: native library {} changed and the new generation failed ({}); "
                        + "the one before serves again with the library it loaded", entry.module(), entry.from(),
                        path.getFileName(), entry.cause());
            } else {
                log.say(Level.ERROR, "refused {} for module {}: {} ({})", path.getFileName(), entry.module(),
                        entry.outcome(), entry.cause());
            }
        }
    }

    private void start(List<WatchedJar> starts) {
        if (starts.size() == 1) {
            deploy(starts.get(0), "deployed");
        } else if (!starts.isEmpty()) {
            hotplug.deployAll(starts.stream().map(WatchedJar::path).toList());
            for (WatchedJar jar : starts) {
                report(jar, "deployed");
            }
        }
    }

    private void removed(Path path) {
        if (libraries.remove(path) != null) {
            log.say(Level.INFO, "forgot removed {}: modules keep the copy they loaded", path.getFileName());
            return;
        }
        WatchedJar jar = tracked.remove(path);
        if (jar == null || jar.name() == null) {
            return;
        }
        if (!runsFrom(jar)) {
            log.say(Level.INFO, "forgot removed {}: it was not the jar module {} runs from", jar.label(), jar.name());
            return;
        }
        // Tools that replace a jar by unlink and rename (jar uf, zip, editors, mv) remove it before its successor
        // appears: acting now would undeploy the module, run @Shutdown and fail its importers, only to start it again.
        leaving.put(jar.name(), new Leaving(jar, System.nanoTime()));
    }

    /** The jar module {@code jar.name()} runs from was removed and nothing replaced it: fall back or undeploy. */
    private void gone(WatchedJar jar) {
        if (!runsFrom(jar)) {
            log.say(Level.INFO, "forgot removed {}: it was not the jar module {} runs from", jar.label(), jar.name());
            return;
        }
        Optional<WatchedJar> other = tracked.values().stream().filter(j -> jar.name().equals(j.name()))
                .max(byVersion());
        if (other.isPresent()) {
            log.say(Level.INFO, "{} removed; module {} goes back to {}", jar.label(), jar.name(), other.get().label());
            deploy(other.get(), "reloaded");
            return;
        }
        try {
            hotplug.undeploy(jar.name());
            log.say(Level.INFO, "undeployed {}: the file was removed (state written)", jar.label());
        } catch (HotplugException e) {
            log.say(Level.ERROR, "cannot undeploy {}: {}", jar.label(), e.getMessage());
        }
    }

    /**
     * The jar module {@code gone.name()} ran from was removed and {@code next} (the best jar of the name now) came
     * within the settle window: one change, a reload through the transaction, or nothing but a new file name when the
     * content is what serves.
     */
    private void replaced(WatchedJar gone, WatchedJar next) {
        HistoryEntry before = lastEntry(next.name());
        long generation = hotplug.module(next.name()).map(ModuleInfo::generation).orElse(0L);
        try {
            hotplug.deploy(next.path());
        } catch (HotplugException e) {
            log.say(Level.ERROR, "refused {}: {}", next.label(), e.getMessage());
            return;
        }
        Optional<ModuleInfo> module = hotplug.module(next.name());
        if (Objects.equals(before, lastEntry(next.name())) && module.isPresent()
                && module.get().generation() == generation) {
            log.say(Level.INFO, "ignored unchanged {}: same content as the removed {}; generation {} serves on",
                    next.label(), gone.path().getFileName(), generation);
            return;
        }
        reportDeploy(next, "reloaded", before);
    }

    private void deploy(WatchedJar jar, String verb) {
        HistoryEntry before = lastEntry(jar.name());
        try {
            hotplug.deploy(jar.path());
        } catch (HotplugException e) {
            log.say(Level.ERROR, "refused {}: {}", jar.label(), e.getMessage());
            return;
        }
        reportDeploy(jar, verb, before);
    }

    /** Says how a deploy of {@code jar} ended; {@code before} is the module's newest history entry before it. */
    private void reportDeploy(WatchedJar jar, String verb, HistoryEntry before) {
        HistoryEntry after = lastEntry(jar.name());
        if (after != null && !after.equals(before) && after.outcome() == Outcome.ROLLED_BACK) {
            // Said apart from report(): a rolled-back jar of the serving version would read as "reloaded" there.
            ModuleInfo module = hotplug.module(jar.name()).orElseThrow();
            log.say(Level.WARN, "rolled back {}: {}; {} {} serves again (generation {})", jar.label(), after.cause(),
                    module.name(), module.version(), module.generation());
            return;
        }
        Optional<ModuleInfo> serving = hotplug.module(String.valueOf(jar.name()))
                .filter(m -> m.status() == ModuleStatus.ACTIVE);
        if (after != null && !after.equals(before) && after.outcome() == Outcome.REFUSED && serving.isPresent()) {
            log.say(Level.WARN, "refused {}: {}; {} {} serves on (generation {})", jar.label(), after.cause(),
                    serving.get().name(), serving.get().version(), serving.get().generation());
            return;
        }
        if (verb.equals("reloaded") && Objects.equals(after, before) && serving.isPresent()) {
            log.say(Level.INFO, "ignored unchanged {}: generation {} serves this content already", jar.label(),
                    serving.get().generation());
            return;
        }
        report(jar, verb);
    }

    /** The newest history entry of module {@code name}; {@code null} when it has none or the name is unknown. */
    private HistoryEntry lastEntry(String name) {
        List<HistoryEntry> history = name == null ? List.of() : hotplug.history(name);
        return history.isEmpty() ? null : history.get(history.size() - 1);
    }

    private void report(WatchedJar jar, String verb) {
        Optional<ModuleInfo> module = jar.name() == null ? Optional.empty() : hotplug.module(jar.name());
        if (module.isEmpty()) {
            log.say(Level.ERROR, "refused {}: no module came of it", jar.label());
        } else if (module.get().status() == ModuleStatus.ACTIVE && Objects.equals(module.get().version(),
                jar.version().toString())) {
            log.say(Level.INFO, "{} {}: generation {} serves", verb, jar.label(), module.get().generation());
        } else if (String.valueOf(module.get().lastError()).startsWith("Cannot resolve")) {
            log.say(Level.WARN, "{} {}: waits for a provider ({})", verb, jar.label(), module.get().lastError());
        } else {
            log.say(Level.ERROR, "refused {}: {} {} is {} ({})", jar.label(), jar.name(), module.get().version(),
                    module.get().status(), module.get().lastError());
        }
    }

    /** Whether module {@code jar.name()} runs from {@code jar}'s path. */
    private boolean runsFrom(WatchedJar jar) {
        return hotplug.module(jar.name()).filter(m -> jar.path().equals(m.file())).isPresent();
    }

    private Optional<ModuleInfo> serving(String name) {
        return hotplug.module(name).filter(m -> m.status() != ModuleStatus.FAILED);
    }

    /** The jar of {@code name} that should run: highest version; on a tie the one already running, else {@code changed}. */
    private WatchedJar winner(String name, WatchedJar changed) {
        Path running = hotplug.module(name).map(ModuleInfo::file).orElse(null);
        Map<Path, WatchedJar> candidates = new LinkedHashMap<>();
        tracked.values().stream().filter(j -> name.equals(j.name())).forEach(j -> candidates.put(j.path(), j));
        WatchedJar best = changed;
        for (WatchedJar jar : candidates.values()) {
            int order = jar.version().compareTo(best.version());
            if (order > 0 || (order == 0 && jar.path().equals(running) && !running.equals(changed.path()))) {
                best = jar;
            }
        }
        return best;
    }

    private static Comparator<WatchedJar> byVersion() {
        return Comparator.comparing(WatchedJar::version);
    }
}
