package dev.hotplug.framework;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The claim of one framework on its state folder: an OS file lock on {@code <state>/hotplug.lock}, held until
 * {@link #close()} and dropped by the OS when the process dies. Two frameworks writing one folder's state would
 * overwrite each other's records, so the second is refused. Not thread-safe; owned by one {@link Hotplug}.
 */
final class StateFolderLock implements AutoCloseable {

    static final String FILE_NAME = "hotplug.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StateFolderLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Claims {@code stateFolder}; does not block.
     *
     * @throws HotplugException when another framework, in this process or another, holds it, or the lock file cannot
     *                          be written
     */
    static StateFolderLock claim(Path stateFolder) {
        Path file = stateFolder.resolve(FILE_NAME);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = FileLocks.tryLock(channel);
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.US_ASCII).strip();
                channel.close();
                throw new HotplugException("Cannot use state folder " + stateFolder + ": another Hotplug"
                        + (holder.isEmpty() ? "" : " (process " + holder + ")") + " uses it, and two would overwrite "
                        + "each other's state; give this one its own --state", null, null, stateFolder);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new StateFolderLock(channel, lock);
        } catch (IOException e) {
            closeAfterFailure(channel, e);
            throw new HotplugException("Cannot lock state folder " + stateFolder + ": " + e, null, null, stateFolder, e);
        }
    }

    private static void closeAfterFailure(FileChannel channel, IOException failure) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** Releases the claim; the lock file stays, so a later framework finds it and claims it again. */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
