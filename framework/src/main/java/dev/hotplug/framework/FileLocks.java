package dev.hotplug.framework;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;

/** The one way the framework asks whether a lock file is held: by another process, or by another framework here. */
final class FileLocks {

    private FileLocks() {
    }

    /**
     * Takes the whole-file lock of {@code channel} without blocking; {@code null} when it is held, whether by another
     * process or, in this JVM, by another channel (which the JDK reports by throwing rather than returning null).
     */
    static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }
}
