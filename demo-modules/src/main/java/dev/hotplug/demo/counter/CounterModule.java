package dev.hotplug.demo.counter;

import dev.hotplug.api.HotplugModule;
import dev.hotplug.api.Load;
import dev.hotplug.api.LoadReason;
import dev.hotplug.api.ModuleContext;
import dev.hotplug.api.Unload;
import dev.hotplug.demo.counter.api.Counter;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts calls and keeps the count across reloads: {@code @Unload} returns it, {@code @Load} gets it back.
 * Edit {@link #STEP} (or anything else), rebuild, and the running count carries on in the new version.
 */
@HotplugModule
public class CounterModule implements Counter {

    /** How much one call adds; change it and rebuild to watch a hot swap keep the count. */
    private static final long STEP = 1;

    /** The state carried across reloads. */
    public record CounterState(long count) {
    }

    private final AtomicLong count = new AtomicLong();
    private String version = "?";

    @Load
    void load(ModuleContext context, CounterState saved, LoadReason reason) {
        version = context.version();
        if (saved != null) {
            count.set(saved.count());
        }
        context.register(Counter.class, this);
        context.logger().log(System.Logger.Level.INFO, "counter " + version + " loaded (" + reason + "), count = " + count.get());
    }

    @Unload
    CounterState unload() {
        return new CounterState(count.get());
    }

    @Override
    public long increment() {
        return count.addAndGet(STEP);
    }

    @Override
    public String version() {
        return version;
    }
}
