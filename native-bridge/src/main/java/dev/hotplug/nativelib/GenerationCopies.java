package dev.hotplug.nativelib;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The copies one generation made: each source library (jar entry or loose file) copied at most once into the
 * generation's folder, with the sibling libraries it reaches through {@code $ORIGIN}. On ELF platforms every copy
 * gets a process-wide unique file name and the {@code DT_NEEDED}/{@code DT_SONAME} strings of the copies are
 * rewritten to match (see {@link ElfDynamic} for why). A loose file is first copied as it is into
 * {@code <folder>/loose/} (its snapshot), and the loaded copy is made from that: the watched folder's file may be
 * replaced later, and a rollback takes the snapshot, given back as a pin, instead of the newer bytes. Not
 * thread-safe: {@link NativeNamespace} serialises calls.
 */
final class GenerationCopies {

    /** Supplies the jar's scanned libraries, or {@code null} when the generation has no jar. */
    interface JarScan {
        JarLibraries get() throws Refusal;
    }

    private final NativePlatform platform;
    private final Path folder;
    private final Path jar;
    private final JarScan jarScan;
    private final Path looseFolder;
    /** Loose file name → an earlier generation's snapshot to copy instead of the watched folder's file. */
    private final Map<String, Path> pinnedLoose;
    private final boolean elf;
    private final Map<String, Path> copiesBySource = new HashMap<>();
    private final List<LoadedLibrary> loaded = new ArrayList<>();
    private final Set<Path> looseSources = new LinkedHashSet<>();
    /** Loose file name → this generation's snapshot of it, as copied. */
    private final Map<String, Path> snapshots = new LinkedHashMap<>();

    GenerationCopies(NativePlatform platform, Path folder, Path jar, JarScan jarScan, Path looseFolder,
                     Map<String, Path> pinnedLoose) {
        this.platform = platform;
        this.folder = folder;
        this.jar = jar;
        this.jarScan = jarScan;
        this.looseFolder = looseFolder;
        this.pinnedLoose = Map.copyOf(pinnedLoose);
        this.elf = !platform.os().equals("macos") && !platform.os().equals("windows");
    }

    /**
     * Copies library {@code name} (its file name {@code fileName}) and its siblings, returning the copy, or
     * {@code null} when neither the jar nor the watched folder has it. On failure nothing of this call remains.
     */
    Path copy(String name, String fileName) throws Refusal {
        Source source = find(fileName);
        if (source == null) {
            return null;
        }
        int loadedBefore = loaded.size();
        Set<Path> looseBefore = new LinkedHashSet<>(looseSources);
        Map<String, Path> snapshotsBefore = new LinkedHashMap<>(snapshots);
        try {
            return copy(source, name, false);
        } catch (Refusal | RuntimeException e) {
            List<LoadedLibrary> added = loaded.subList(loadedBefore, loaded.size());
            for (LoadedLibrary library : added) {
                copiesBySource.values().remove(library.copy());
                deleteQuietly(library.copy(), e);
            }
            added.clear();
            for (Map.Entry<String, Path> snapshot : snapshots.entrySet()) {
                if (!snapshotsBefore.containsKey(snapshot.getKey())) {
                    deleteQuietly(snapshot.getValue(), e);
                }
            }
            snapshots.keySet().retainAll(snapshotsBefore.keySet());
            looseSources.retainAll(looseBefore);
            throw e;
        }
    }

    private static void deleteQuietly(Path file, Exception into) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException deletion) {
            into.addSuppressed(deletion);
        }
    }

    List<LoadedLibrary> loaded() {
        return List.copyOf(loaded);
    }

    Set<Path> looseSources() {
        return Set.copyOf(looseSources);
    }

    Map<String, Path> snapshots() {
        return Map.copyOf(snapshots);
    }

    /** Deletes every copy and snapshot and then the folders; returns what could not be deleted, path to failure. */
    Map<Path, IOException> deleteAll() {
        Map<Path, IOException> failures = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        loaded.forEach(library -> files.add(library.copy()));
        files.addAll(snapshots.values());
        files.forEach(file -> delete(file, failures));
        // The folders only once empty: a file left behind is the failure to report, not the folder holding it.
        if (failures.isEmpty() && (snapshots.isEmpty() || delete(snapshotFolder(), failures))) {
            delete(folder, failures);
        }
        return failures;
    }

    /** Deletes {@code file} if it exists; returns whether it is gone, else records why in {@code failures}. */
    private static boolean delete(Path file, Map<Path, IOException> failures) {
        try {
            Files.deleteIfExists(file);
            return true;
        } catch (IOException e) {
            failures.put(file, e);
            return false;
        }
    }

    private Path snapshotFolder() {
        return folder.resolve("loose");
    }

    private Path copy(Source source, String name, boolean rpathOrigin) throws Refusal {
        Path existing = copiesBySource.get(source.key());
        if (existing != null) {
            return existing;
        }
        String copyName = elf ? UniqueNames.sameLength(source.fileName()) : source.fileName();
        Path target = folder.resolve(copyName).normalize();
        if (!folder.equals(target.getParent())) {
            throw new Refusal(source.display() + " would be copied outside " + folder, source.path(),
                    source.entry(), null);
        }
        write(source, target);
        copiesBySource.put(source.key(), target);
        loaded.add(new LoadedLibrary(name, source.display(), target, source.entry() == null));
        if (source.entry() == null) {
            looseSources.add(source.path());
            looseSources.add(source.real());
        }
        LibraryHeader header;
        try {
            header = LibraryHeader.read(target);
        } catch (IOException e) {
            throw new Refusal("cannot read the copy " + target + " (" + e.getMessage() + ")", target,
                    source.entry(), e);
        }
        String mismatch = header.mismatch(platform);
        if (mismatch != null) {
            throw new Refusal(source.display() + " " + mismatch, source.path(), source.entry(), null);
        }
        if (header.isElf()) {
            link(source, target, rpathOrigin);
        }
        return target;
    }

    /** Renames the copy's soname and points its {@code $ORIGIN} needs at this generation's sibling copies. */
    private void link(Source source, Path target, boolean inheritedRpathOrigin) throws Refusal {
        String copyName = target.getFileName().toString();
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ElfDynamic dynamic = ElfDynamic.read(channel);
            if (dynamic == null) {
                return;
            }
            String soname = dynamic.soname();
            if (soname != null && !copyName.equals(source.fileName())) {
                dynamic.renameSoname(soname.equals(source.fileName()) ? copyName : UniqueNames.sameLength(soname));
            }
            // glibc: DT_RUNPATH, when present, replaces the DT_RPATH of the object and of the chain that loaded it
            boolean rpathOrigin = inheritedRpathOrigin || dynamic.rpathHasOrigin();
            boolean reachesOrigin = dynamic.hasRunpath() ? dynamic.runpathHasOrigin() : rpathOrigin;
            if (!reachesOrigin) {
                return;
            }
            for (String needed : dynamic.needed()) {
                Source sibling = sibling(source, needed);
                if (sibling == null) {
                    continue;
                }
                String siblingName = copy(sibling, needed, rpathOrigin).getFileName().toString();
                if (!siblingName.equals(needed)) {
                    dynamic.renameNeeded(needed, siblingName);
                }
            }
        } catch (IOException e) {
            throw new Refusal("cannot prepare the copy of " + source.display() + " (" + e.getMessage() + ")",
                    target, source.entry(), e);
        }
    }

    private void write(Source source, Path target) throws Refusal {
        try {
            Files.createDirectories(folder);
            if (source.entry() != null) {
                jarScan.get().read(source.entry(), in -> Files.copy(in, target));
            } else {
                // Snapshot first, then load from the snapshot: what is kept for a rollback is what was loaded.
                Path snapshot = snapshotFolder().resolve(source.fileName()).normalize();
                if (!snapshotFolder().equals(snapshot.getParent())) {
                    throw new Refusal(source.display() + " would be copied outside " + snapshotFolder(), source.path(),
                            null, null);
                }
                Files.createDirectories(snapshotFolder());
                Files.copy(source.bytes(), snapshot);
                snapshots.put(source.fileName(), snapshot);
                Files.copy(snapshot, target);
            }
        } catch (IOException e) {
            Refusal refusal = new Refusal("cannot copy " + source.display() + " to " + target + " ("
                    + e.getMessage() + ")", target, source.entry(), e);
            try {
                Files.deleteIfExists(target);
            } catch (IOException deletion) {
                refusal.addSuppressed(deletion);
            }
            throw refusal;
        }
    }

    private Source find(String fileName) throws Refusal {
        JarLibraries libraries = jarScan.get();
        String entry = libraries == null ? null : libraries.entry(fileName);
        if (entry != null) {
            return new Source(fileName, jar, entry, null, null);
        }
        return loose(fileName);
    }

    private Source sibling(Source of, String needed) throws Refusal {
        if (needed.isEmpty() || needed.indexOf('/') >= 0 || JarLibraries.unsafe(needed) != null
                || !platform.isLibraryFileName(needed)) {
            return null;
        }
        if (of.entry() != null) {
            String entry = jarScan.get().entry(needed);
            return entry == null ? null : new Source(needed, jar, entry, null, null);
        }
        return loose(needed);
    }

    /**
     * The loose library {@code fileName} in the watched folder, or {@code null}; its pinned snapshot instead when it
     * has one. A symbolic link is followed and must end inside the watched folder (itself resolved), so a link cannot
     * smuggle in a file from elsewhere.
     */
    private Source loose(String fileName) throws Refusal {
        if (looseFolder == null) {
            return null;
        }
        Path candidate = looseFolder.resolve(fileName);
        Path pinned = pinnedLoose.get(fileName);
        if (pinned != null) {
            // What the folder holds now is reported as the source, so a later change to it still reloads this one.
            Path real;
            try {
                real = candidate.toRealPath();
            } catch (IOException e) {
                real = candidate; // gone or a broken link: its name alone is what a later change concerns
            }
            return new Source(fileName, candidate, null, real, pinned);
        }
        if (!Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            Path folderReal = looseFolder.toRealPath();
            Path real;
            try {
                real = candidate.toRealPath();
            } catch (NoSuchFileException e) {
                throw new Refusal(candidate + " is a broken symbolic link", candidate, null, e);
            }
            if (!real.startsWith(folderReal)) {
                throw new Refusal(candidate + " links to " + real + ", outside the watched folder " + folderReal,
                        candidate, null, null);
            }
            if (!Files.isRegularFile(real)) {
                throw new Refusal(candidate + " is not a regular file", candidate, null, null);
            }
            return new Source(fileName, candidate, null, real, real);
        } catch (IOException e) {
            throw new Refusal("cannot read " + candidate + " (" + e.getMessage() + ")", candidate, null, e);
        }
    }

    /**
     * Where a library comes from: a jar entry ({@code entry} set, {@code path} the jar) or a loose file
     * ({@code path} as found in the watched folder, {@code real} after following links, {@code bytes} the file its
     * content is read from: {@code real}, or a pinned snapshot).
     */
    private record Source(String fileName, Path path, String entry, Path real, Path bytes) {

        String key() {
            return entry != null ? "jar:" + entry : "loose:" + bytes;
        }

        String display() {
            return entry != null ? entry : path.toString();
        }
    }
}
