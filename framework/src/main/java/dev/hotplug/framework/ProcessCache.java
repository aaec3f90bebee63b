package dev.hotplug.framework;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * This process's cache folder ({@code <root>/proc-<pid>-*}) for jar copies and generation folders, locked while the
 * framework lives so several processes can share a cache root. Creating one sweeps the folders of processes that are
 * gone (their lock is free); closing it deletes this one. Not thread-safe; owned by one {@link Hotplug}.
 */
final class ProcessCache implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessCache.class);
    private static final String LOCK = ".lock";

    private final Path folder;
    private final FileChannel channel;
    private final FileLock lock;

    private ProcessCache(Path folder, FileChannel channel, FileLock lock) {
        this.folder = folder;
        this.channel = channel;
        this.lock = lock;
    }

    /** Sweeps dead processes' caches under {@code root}, then creates and locks a fresh one. Blocks on file I/O. */
    static ProcessCache create(Path root) throws IOException {
        Files.createDirectories(root);
        sweep(root);
        Path folder = Files.createTempDirectory(root, "proc-" + ProcessHandle.current().pid() + "-");
        FileChannel channel = FileChannel.open(folder.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        return new ProcessCache(folder, channel, channel.lock());
    }

    /** Deletes every {@code proc-*} folder under {@code root} whose lock no live process holds. */
    static void sweep(Path root) throws IOException {
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(root, "proc-*")) {
            for (Path other : folders) {
                if (Files.isDirectory(other) && !inUse(other)) {
                    FileTree.delete(other);
                    LOG.info("Swept cache {} of a process that is gone", other.getFileName());
                }
            }
        }
    }

    private static boolean inUse(Path folder) throws IOException {
        Path lockFile = folder.resolve(LOCK);
        if (!Files.exists(lockFile)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock probe = FileLocks.tryLock(channel);
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        }
    }

    Path folder() {
        return folder;
    }

    /** Releases the lock and deletes the folder. */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
            channel.close();
        } finally {
            FileTree.delete(folder);
        }
    }
}
