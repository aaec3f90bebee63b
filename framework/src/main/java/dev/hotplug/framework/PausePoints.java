package dev.hotplug.framework;

import java.util.concurrent.CountDownLatch;

/**
 * Crash-test hooks: when the system property {@code hotplug.pauseAt} names a point (for example
 * {@code after-state-write}), the framework prints {@code HOTPLUG-PAUSED <point> <module>} to standard output when it
 * reaches that point and blocks there, so a test can kill the process at exactly that step. Inert otherwise.
 */
final class PausePoints {

    /** Points the transaction passes, in order. */
    static final String DURING_UNLOAD = "during-unload";
    static final String AFTER_STATE_WRITE = "after-state-write";
    static final String DURING_LOAD = "during-load";
    static final String DURING_ROLLBACK = "during-rollback";

    private static final String WANTED = System.getProperty("hotplug.pauseAt");

    private PausePoints() {
    }

    /** Blocks forever when {@code point} is the wanted one. */
    static void reach(String point, String module) {
        if (WANTED == null || !WANTED.equals(point)) {
            return;
        }
        System.out.println("HOTPLUG-PAUSED " + point + " " + module);
        System.out.flush();
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
