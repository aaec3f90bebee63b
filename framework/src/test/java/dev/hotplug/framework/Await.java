package dev.hotplug.framework;

import dev.hotplug.isolation.LeakWatcher;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Polls a condition until it holds or a deadline passes: tests never sleep a fixed time to wait for something. */
final class Await {

    private static final Duration DEFAULT = Duration.ofSeconds(10);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private Await() {
    }

    /** Returns once {@code condition} holds; fails the test, saying {@code what}, after ten seconds. */
    static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEFAULT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("Timed out after " + DEFAULT.toSeconds() + " s waiting for " + what);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** Returns once every referent is collected, running the GC while waiting; fails after ten seconds. */
    static void collected(String what, List<? extends WeakReference<?>> references) {
        until(what + " collected", () -> {
            System.gc();
            return references.stream().allMatch(r -> r.get() == null);
        });
    }

    /** Returns once {@code hotplug} reports no leaked generation; fails with the last report after ten seconds. */
    static void noLeaks(Hotplug hotplug) {
        long deadline = System.nanoTime() + DEFAULT.toNanos();
        List<LeakWatcher.Leak> leaks;
        while (!(leaks = hotplug.leaks()).isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                fail("Released generations still alive after " + DEFAULT.toSeconds() + " s: " + leaks);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** Whether {@code thread} is inside {@code className.method} now, running or parked; a condition to await. */
    static boolean inside(Thread thread, String className, String method) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().equals(className) && frame.getMethodName().equals(method)) {
                return true;
            }
        }
        return false;
    }
}
