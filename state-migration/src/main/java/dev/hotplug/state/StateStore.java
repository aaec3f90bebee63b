package dev.hotplug.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Keeps each module's state durably under a state folder, in {@code <folder>/<module>/}: {@code current.state}
 * (the newest record), {@code previous.state} (the one before it) and {@code last-good.jar}. Writes are atomic
 * and durable (temp file, fsync, renames, fsync of the folder); reads return the newest valid record, moving
 * damaged files aside ({@code <name>.corrupt-<time>}, never deleted) and reporting each in one line.
 * Thread-safe: calls for one module are serialized, different modules proceed in parallel; every method blocks
 * on file I/O. Its locks are in memory: use one store per state folder and process. Where a folder cannot be
 * opened for fsync (Windows), renames rely on the file system's own ordering; that is reported once. File format:
 * see {@code StateFile}.
 */
public final class StateStore {

    static final String CURRENT = "current.state";
    static final String PREVIOUS = "previous.state";
    static final String TEMP = "current.state.tmp";
    static final String LAST_GOOD = "last-good.jar";
    static final String LAST_GOOD_TEMP = "last-good.jar.tmp";

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
     * stamps the time when {@code writtenAt} is {@code null}. Durable when it returns; one file write, one file
     * fsync, two renames, one folder fsync. Throws {@link StateException} when the disk refuses.
     */
    public StateRecord write(StateRecord record) {
        String module = checkName(record.module(), "write state of");
        Slot slot = slot(module);
        Path dir = folder.resolve(module);
        synchronized (slot) {
            try {
                if (slot.lastSequence < 0) {
                    readLocked(module, slot);
                }
                if (!slot.folderReady) {
                    Files.createDirectories(dir);
                    slot.folderReady = true;
                }
                Instant writtenAt = record.writtenAt() != null ? record.writtenAt() : Instant.now();
                StateRecord stored = new StateRecord(module, record.moduleVersion(), record.stateVersion(), writtenAt,
                        slot.lastSequence + 1, record.state());
                Path temp = dir.resolve(TEMP);
                writeSynced(temp, StateFile.encode(stored));
                Path current = dir.resolve(CURRENT);
                if (Files.exists(current)) {
                    Files.move(current, dir.resolve(PREVIOUS), StandardCopyOption.ATOMIC_MOVE);
                }
                Files.move(temp, current, StandardCopyOption.ATOMIC_MOVE);
                syncFolder(dir);
                slot.lastSequence = stored.sequence();
                return stored;
            } catch (IOException e) {
                // What reached the disk is unknown: learn it again before the next write.
                slot.lastSequence = -1;
                slot.folderReady = false;
                throw new StateException("Cannot write state of module " + module + ": " + e, module,
                        record.moduleVersion(), dir, e);
            }
        }
    }

    /**
     * The module's newest valid record, or empty when it has none. Damaged files (cut short, bad checksum, bad
     * JSON, another module's name) are moved aside and reported, never loaded; the previous record then answers.
     * A complete temp file left by an interrupted write is taken when it is the newest. Throws
     * {@link StateException} only when a file cannot be read at all (permissions, I/O error).
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
     * of the folder), replacing the one kept before. Throws {@link StateException} when the copy fails.
     */
    public void keepLastGood(String module, Path jar) {
        checkName(module, "keep the last good jar of");
        Slot slot = slot(module);
        Path dir = folder.resolve(module);
        synchronized (slot) {
            try {
                Files.createDirectories(dir);
                Path temp = dir.resolve(LAST_GOOD_TEMP);
                Files.copy(jar, temp, StandardCopyOption.REPLACE_EXISTING);
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
                Files.move(temp, dir.resolve(LAST_GOOD), StandardCopyOption.ATOMIC_MOVE);
                syncFolder(dir);
            } catch (IOException e) {
                throw new StateException("Cannot keep the last good jar of module " + module + ": " + e, module, null,
                        jar, e);
            }
        }
    }

    /** The jar kept by {@link #keepLastGood}, or empty when none was kept. */
    public Optional<Path> lastGood(String module) {
        checkName(module, "find the last good jar of");
        Path jar = folder.resolve(module).resolve(LAST_GOOD);
        return Files.isRegularFile(jar) ? Optional.of(jar) : Optional.empty();
    }

    private StateRecord readLocked(String module, Slot slot) {
        Path dir = folder.resolve(module);
        if (!Files.isDirectory(dir)) {
            slot.lastSequence = 0;
            return null;
        }
        StateRecord current = load(module, dir.resolve(CURRENT));
        StateRecord previous = load(module, dir.resolve(PREVIOUS));
        StateRecord temp = load(module, dir.resolve(TEMP));
        StateRecord best = newer(current, previous);
        try {
            if (temp != null && (best == null || temp.sequence() > best.sequence())) {
                // An interrupted write that had fsynced its temp file: finish its renames.
                if (current != null) {
                    Files.move(dir.resolve(CURRENT), dir.resolve(PREVIOUS), StandardCopyOption.ATOMIC_MOVE);
                }
                Files.move(dir.resolve(TEMP), dir.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE);
                syncFolder(dir);
                best = temp;
            } else if (temp != null) {
                moveAside(module, dir.resolve(TEMP), "stale",
                        "is a leftover older than the current state (sequence " + temp.sequence() + ")");
            }
        } catch (IOException e) {
            throw new StateException("Cannot read state of module " + module + ": " + e, module, null, dir, e);
        }
        slot.lastSequence = best == null ? 0 : best.sequence();
        return best;
    }

    /** The record in {@code file}, or null when there is none or it is damaged (then moved aside and reported). */
    private StateRecord load(String module, Path file) {
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
            return StateFile.decode(bytes, module);
        } catch (StateFile.Damaged e) {
            moveAside(module, file, "corrupt", "is damaged (" + e.getMessage() + ")");
            return null;
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

    private static StateRecord newer(StateRecord a, StateRecord b) {
        if (a == null) {
            return b;
        }
        return b == null || a.sequence() >= b.sequence() ? a : b;
    }

    private static void writeSynced(Path file, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            // fdatasync: the data and the size needed to read it back; the rename's durability is the folder sync's job.
            channel.force(false);
        }
    }

    /** Makes the renames in {@code dir} durable: fsync of the directory itself (POSIX). */
    private void syncFolder(Path dir) throws IOException {
        if (folderSyncUnsupported) {
            return;
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (AccessDeniedException | UnsupportedOperationException e) {
            // Windows cannot open a directory as a channel; NTFS journals renames on its own.
            folderSyncUnsupported = true;
            reporter.accept("Cannot sync state folder " + dir + ": " + e
                    + "; renames rely on the file system's ordering (reported once)");
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

    /** Per-module bookkeeping; guarded by its own monitor. */
    private static final class Slot {
        /** Sequence of the newest record on disk; -1 until read (or after a failed write). */
        long lastSequence = -1;
        boolean folderReady;
    }
}
