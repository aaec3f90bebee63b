package dev.hotplug.demo.nativecounter;

import dev.hotplug.api.HotplugModule;
import dev.hotplug.api.Load;
import dev.hotplug.api.LoadReason;
import dev.hotplug.api.ModuleContext;
import dev.hotplug.api.Unload;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A counter whose arithmetic is C: {@code src/main/c/nativecounter.c}, compiled by gcc during the Maven build into
 * {@code native/linux-x86_64/libnativecounter.so} inside this module's jar. Every two seconds it asks the library to
 * advance its value and logs the answer; the value survives reloads. Change {@code STEP} in the C file, rebuild, and
 * the new generation loads its own copy of the new library while the count carries on.
 */
@HotplugModule
public class NativeCounterModule {

    /** The state carried across reloads. */
    public record NativeCounterState(long value) {
    }

    private final AtomicLong value = new AtomicLong();

    /** {@code value + STEP}, computed by the C library. */
    static native long advance(long value);

    /** The library's {@code STEP}. */
    static native int step();

    @Load
    void load(ModuleContext context, NativeCounterState saved, LoadReason reason) {
        // Resolved by this generation's classloader: a copy of the jar's library of its own, never "already loaded".
        System.loadLibrary("nativecounter");
        if (saved != null) {
            value.set(saved.value());
        }
        System.Logger log = context.logger();
        String version = context.version();
        log.log(System.Logger.Level.INFO, "native-counter " + version + " loaded (" + reason + "): libnativecounter.so"
                + " has STEP = " + step() + ", value = " + value.get());
        context.threadFactory().newThread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(2000);
                    long next = advance(value.get());
                    value.set(next);
                    log.log(System.Logger.Level.INFO, "native-counter " + version + ": value " + next
                            + " (native STEP " + step() + ")");
                }
            } catch (InterruptedException e) {
                // Unload interrupts the generation's threads: this is the normal way out.
                Thread.currentThread().interrupt();
            }
        }).start();
    }

    @Unload
    NativeCounterState unload() {
        return new NativeCounterState(value.get());
    }
}
