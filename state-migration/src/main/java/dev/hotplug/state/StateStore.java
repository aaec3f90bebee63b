package dev.hotplug.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Keeps each module's state durably under a state folder, in {@code <folder>/<module>/}: two slot files,
 * {@code a.state} and {@code b.state}, written alternately in place, and {@code last-good.jar}. The slot with the
 * highest valid sequence holds the current state, the other the previous one; a write overwrites the older slot, so
 * a write cut short by a crash leaves the newer one intact. In steady state a write costs one positional write and
 * one fdatasync (no file is created, renamed or resized, so no metadata is journalled); the folder is fsynced only
 * when a file or folder is created. Reads return the newest valid record, moving damaged files aside
 * ({@code <name>.corrupt-<time>}, never deleted) and reporting each in one line. Files of the earlier layout
 * ({@code current.state}, {@code previous.state}, {@code current.state.tmp}) are read too and removed after the next
 * write. Thread-safe: calls for one module are serialized, different modules proceed in parallel; every method blocks
 * on file I/O. Its locks and its memory of the files are in memory: use one store per state folder and process, and
 * leave its files alone. Where a folder cannot be opened for fsync (Windows), new entries rely on the file system's
 * own ordering; that is reported once. File format: see {@code StateFile}.
 */
public final class StateStore {

    static final String SLOT_A = "a.state";
    static final String SLOT_B = "b.state";
    /** Files of the layout before slots (temp file, then renames); read, never written. */
    static final String LEGACY_CURRENT = "current.state";
    static final String LEGACY_PREVIOUS = "previous.state";
    static final String LEGACY_TEMP = "current.state.tmp";
    static final String LAST_GOOD = "last-good.jar";
    static final String LAST_GOOD_TEMP = "last-good.jar.tmp";
    static final String LAST_GOOD_SOURCE = "last-good.source";

    private static final String[] SLOTS = {SLOT_A, SLOT_B};
    private static final Pattern MODULE_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final DateTimeFormatter ASIDE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final Path folder;
    private final Consumer<String> reporter;
    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
    private volatile boolean folderSyncUnsupported;

    /** A store over {@code folder} (created on first write); {@code reporter} receives one line per damaged file. */
    public StateStore(Path folder, Consumer<String> reporter) {
        this.folder = Objects.requireNonNull(folder, "folder");
        this.reporter = Objects.requireNonNull(reporter, "reporter");
    }

    /** The state folder. */
    public Path folder() {
        return folder;
    }

    /**
     * Writes {@code record} as the module's current state, keeping the one it replaces as the previous state, and
     * returns it as stored: the store assigns the sequence (newest on disk + 1, whatever the record carries) and
     * stamps the time when {@code writtenAt} is {@code null}. Durable when it returns. In steady state it overwrites
     * the older slot file in place (one open, one positional write, one fdatasync); the first writes of a module
     * also create its folder and slot files and fsync their folders. Throws {@link StateException} when the disk
     * refuses; the current state on disk is then unchanged.
     */
    public StateRecord write(StateRecord record) {
        String module = checkName(record.module(), "write state of");
        Slot slot = slot(module);
        Path dir = folder.resolve(module);
        synchronized (slot) {
            StateRecord stored;
            try {
                if (slot.lastSequence < 0) {
                    readLocked(module, slot);
                }
                if (!slot.folderReady) {
                    createFolder(dir);
                    slot.folderReady = true;
                }
                if (slot.adopt != null) {
                    // The newest record is still in a file of the earlier layout: copy it into a slot first, so it
                    // stays on disk as the previous state once those files are removed.
                    writeSlot(dir, slot, 0, slot.adopt);
                    slot.adopt = null;
                }
                Instant writtenAt = record.writtenAt() != null ? record.writtenAt() : Instant.now();
                stored = new StateRecord(module, record.moduleVersion(), record.stateVersion(), writtenAt,
                        slot.lastSequence + 1, record.state());
                writeSlot(dir, slot, slot.newest == 0 ? 1 : 0, StateFile.encode(stored));
                slot.lastSequence = stored.sequence();
            } catch (IOException e) {
                // The newest slot was not touched; the next write rewrites the failed slot whole (its size is now unknown).
                slot.folderReady = false;
                throw new StateException("Cannot write state of module " + module + ": " + e, module,
                        record.moduleVersion(), dir, e);
            }
            if (!slot.legacy.isEmpty()) {
                removeLegacy(module, dir, slot);
            }
            return stored;
        }
    }

    /**
     * The module's newest valid record, or empty when it has none. Damaged files (cut short, torn by an interrupted
     * write, bad checksum, bad JSON, another module's name) are moved aside and reported, never loaded; the previous
     * record then answers. Throws {@link StateException} only when a file cannot be read at all (permissions, I/O
     * error).
     */
    public Optional<StateRecord> read(String module) {
        checkName(module, "read state of");
        Slot slot = slot(module);
        synchronized (slot) {
            return Optional.ofNullable(readLocked(module, slot));
        }
    }

    /**
     * Keeps a durable copy of {@code jar} as the module's last version that ran (temp copy, fsync, rename, fsync
     * of the folder), replacing the one kept before, and beside it {@code sourceName}, the file name the module was
     * deployed from ({@code null}: none). Throws {@link StateException} when the copy fails.
     */
    public void keepLastGood(String module, Path jar, String sourceName) {
        checkName(module, "keep the last good jar of");
        Slot slot = slot(module);
        Path dir = folder.resolve(module);
        // Its own lock: a state write in a reload's pause must not wait for this copy's two fsyncs.
        synchronized (slot.lastGood) {
            try {
                Files.createDirectories(dir);
                Path temp = dir.resolve(LAST_GOOD_TEMP);
                Files.copy(jar, temp, StandardCopyOption.REPLACE_EXISTING);
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
                Files.move(temp, dir.resolve(LAST_GOOD), StandardCopyOption.ATOMIC_MOVE);
                Path source = dir.resolve(LAST_GOOD_SOURCE);
                if (sourceName == null) {
                    Files.deleteIfExists(source);
                } else {
                    Path sourceTemp = dir.resolve(LAST_GOOD_SOURCE + ".tmp");
                    Files.writeString(sourceTemp, sourceName, StandardCharsets.UTF_8);
                    Files.move(sourceTemp, source, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
                syncFolder(dir);
            } catch (IOException e) {
                throw new StateException("Cannot keep the last good jar of module " + module + ": " + e, module, null,
                        jar, e);
            }
        }
    }

    /**
     * The module whose last-good jar was deployed from a file named {@code sourceName}, or empty when none was: how
     * a start learns which module a jar too broken to name its own (truncated, say) belonged to. Lists the folder.
     */
    public Optional<String> moduleDeployedFrom(String sourceName) {
        try (DirectoryStream<Path> modules = Files.newDirectoryStream(folder, Files::isDirectory)) {
            List<String> names = new ArrayList<>();
            for (Path dir : modules) {
                Path source = dir.resolve(LAST_GOOD_SOURCE);
                if (Files.isRegularFile(source) && Files.isRegularFile(dir.resolve(LAST_GOOD))
                        && Files.readString(source, StandardCharsets.UTF_8).equals(sourceName)) {
                    names.add(dir.getFileName().toString());
                }
            }
            // Two modules once deployed from one file name (in turn): neither can be told to be the one meant.
            return names.size() == 1 ? Optional.of(names.get(0)) : Optional.empty();
        } catch (IOException e) {
            throw new StateException("Cannot look for the module deployed from " + sourceName + ": " + e, null, null,
                    folder, e);
        }
    }

    /** The jar kept by {@link #keepLastGood}, or empty when none was kept. */
    public Optional<Path> lastGood(String module) {
        checkName(module, "find the last good jar of");
        Path jar = folder.resolve(module).resolve(LAST_GOOD);
        return Files.isRegularFile(jar) ? Optional.of(jar) : Optional.empty();
    }

    /** Reads every candidate file and learns from them where the next write goes. */
    private StateRecord readLocked(String module, Slot slot) {
        // Until this read completes, nothing is known: a failure here makes the next write read again.
        slot.lastSequence = -1;
        slot.newest = -1;
        Arrays.fill(slot.size, -1);
        slot.adopt = null;
        slot.legacy = List.of();
        Path dir = folder.resolve(module);
        if (!Files.isDirectory(dir)) {
            slot.folderReady = false;
            slot.lastSequence = 0;
            return null;
        }
        slot.folderReady = true;
        Loaded best = null;
        for (int i = 0; i < SLOTS.length; i++) {
            Loaded loaded = load(module, dir.resolve(SLOTS[i]));
            if (loaded != null) {
                slot.size[i] = loaded.bytes.length;
                if (best == null || loaded.record.sequence() > best.record.sequence()) {
                    best = loaded;
                    slot.newest = i;
                }
            }
        }
        List<Path> legacy = new ArrayList<>();
        Loaded legacyBest = null;
        for (String name : new String[] {LEGACY_CURRENT, LEGACY_PREVIOUS, LEGACY_TEMP}) {
            Path file = dir.resolve(name);
            Loaded loaded = load(module, file);
            if (loaded == null) {
                continue;
            }
            long newest = Math.max(best == null ? 0 : best.record.sequence(),
                    legacyBest == null ? 0 : legacyBest.record.sequence());
            if (name.equals(LEGACY_TEMP) && loaded.record.sequence() <= newest) {
                // An interrupted write of the earlier layout counts only when it got further than the renames.
                moveAside(module, file, "stale",
                        "is a leftover older than the current state (sequence " + loaded.record.sequence() + ")");
                continue;
            }
            legacy.add(file);
            if (loaded.record.sequence() > newest) {
                legacyBest = loaded;
            }
        }
        slot.legacy = legacy;
        if (legacyBest != null && (best == null || legacyBest.record.sequence() > best.record.sequence())) {
            best = legacyBest;
            slot.newest = -1;
            slot.adopt = legacyBest.bytes;
        }
        slot.lastSequence = best == null ? 0 : best.record.sequence();
        return best == null ? null : best.record;
    }

    /** The record in {@code file}, or null when there is none or it is damaged (then moved aside and reported). */
    private Loaded load(String module, Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new StateException("Cannot read state of module " + module + ": file " + file + ": " + e, module,
                    null, file, e);
        }
        try {
            return new Loaded(StateFile.decode(bytes, module), bytes);
        } catch (StateFile.Damaged e) {
            moveAside(module, file, "corrupt", "is damaged (" + e.getMessage() + ")");
            return null;
        }
    }

    /**
     * Overwrites slot {@code index} with {@code record} from offset 0, padded with spaces to the file's present size
     * so the size never shrinks, and makes it durable. Creating the file (first write, or after it was moved aside)
     * also fsyncs the folder.
     */
    private void writeSlot(Path dir, Slot slot, int index, byte[] record) throws IOException {
        Path file = dir.resolve(SLOTS[index]);
        long size = slot.size[index];
        // Unknown until this write completes: a failed write leaves bytes of unknown length behind.
        slot.size[index] = -1;
        FileChannel channel = null;
        if (size >= 0) {
            try {
                channel = FileChannel.open(file, StandardOpenOption.WRITE);
            } catch (NoSuchFileException e) {
                size = -1; // removed behind the store's back: create it again below
            }
        }
        if (channel == null) {
            try {
                channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                slot.folderSyncPending = true;
            } catch (FileAlreadyExistsException e) {
                // Of unknown length (a damaged file that could not be moved aside, or a failed write): start empty.
                channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            }
            size = 0;
        }
        try (FileChannel open = channel) {
            ByteBuffer buffer = ByteBuffer.wrap(padded(record, size));
            for (long position = 0; buffer.hasRemaining(); ) {
                position += open.write(buffer, position);
            }
            // fdatasync: the bytes, and the size when it grew; the file's name is the folder sync's job.
            open.force(false);
        }
        if (slot.folderSyncPending) {
            syncFolder(dir);
            slot.folderSyncPending = false;
        }
        slot.size[index] = Math.max(size, record.length);
        slot.newest = index;
    }

    /** {@code record} followed by spaces up to {@code size} bytes, or {@code record} itself when not shorter. */
    private static byte[] padded(byte[] record, long size) {
        if (record.length >= size) {
            return record;
        }
        byte[] out = Arrays.copyOf(record, Math.toIntExact(size));
        Arrays.fill(out, record.length, out.length, (byte) ' ');
        return out;
    }

    /** Creates {@code dir} and any missing parents, fsyncing the parent of each so the new entries last. */
    private void createFolder(Path dir) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.push(p);
        }
        Files.createDirectories(dir);
        for (Path created : missing) {
            syncFolder(created.getParent());
        }
    }

    /** Deletes the files of the earlier layout once a slot holds the newest record; failures are only reported. */
    private void removeLegacy(String module, Path dir, Slot slot) {
        List<Path> legacy = slot.legacy;
        // Whatever happens, do not retry on every write: the next start reads what is left and tries again.
        slot.legacy = List.of();
        try {
            for (Path file : legacy) {
                Files.deleteIfExists(file);
            }
            syncFolder(dir);
        } catch (IOException e) {
            reporter.accept("Cannot remove the old state files of module " + module + " in " + dir + ": " + e
                    + "; they hold older records and are read again, not preferred, at the next start");
        }
    }

    private void moveAside(String module, Path file, String kind, String why) {
        String base = file.getFileName() + "." + kind + "-" + ASIDE_TIME.format(Instant.now());
        Path target = file.resolveSibling(base);
        for (int n = 1; Files.exists(target); n++) {
            target = file.resolveSibling(base + "-" + n);
        }
        try {
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            reporter.accept("Cannot read state of module " + module + ": file " + file + " " + why
                    + "; moved aside to " + target.getFileName() + ", not loaded");
        } catch (IOException e) {
            // Still never loaded; the next read finds it again and retries.
            reporter.accept("Cannot read state of module " + module + ": file " + file + " " + why
                    + "; not loaded, and it could not be moved aside: " + e);
        }
    }

    /** Makes new entries in {@code dir} durable: fsync of the directory itself (POSIX). */
    private void syncFolder(Path dir) throws IOException {
        if (folderSyncUnsupported) {
            return;
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (AccessDeniedException | UnsupportedOperationException e) {
            // Windows cannot open a directory as a channel; NTFS journals new entries and renames on its own.
            folderSyncUnsupported = true;
            reporter.accept("Cannot sync state folder " + dir + ": " + e
                    + "; new files rely on the file system's ordering (reported once)");
            return;
        }
        try (channel) {
            channel.force(true);
        }
    }

    private Slot slot(String module) {
        return slots.computeIfAbsent(module, name -> new Slot());
    }

    private static String checkName(String module, String action) {
        if (module == null || !MODULE_NAME.matcher(module).matches()) {
            throw new StateException("Cannot " + action + " module " + module + ": not a module name ([a-z0-9][a-z0-9._-]*)", module, null, null);
        }
        return module;
    }

    /** A valid record and the file's bytes as read (padding included). */
    private record Loaded(StateRecord record, byte[] bytes) {
    }

    /** Per-module memory of the files on disk; guarded by its own monitor. */
    private static final class Slot {
        /** Sequence of the newest record on disk; -1 until read. */
        long lastSequence = -1;
        /** Index of the slot file holding the newest record; -1 when none does (no state, or only old files). */
        int newest = -1;
        /** Present size of each slot file in bytes; -1 when absent or not known. */
        final long[] size = {-1, -1};
        /** The newest record's bytes when it lives only in a file of the earlier layout; null otherwise. */
        byte[] adopt;
        /** Valid files of the earlier layout, removed after the next write. */
        List<Path> legacy = List.of();
        boolean folderReady;
        /** A file was created in the module folder and the folder not yet fsynced. */
        boolean folderSyncPending;
        /** Guards the last-good jar's files, apart from the slots. */
        final Object lastGood = new Object();
    }
}
