package dev.hotplug.demo.greeter;

import dev.hotplug.api.HotplugModule;
import dev.hotplug.api.Load;
import dev.hotplug.api.ModuleContext;
import dev.hotplug.demo.counter.api.Counter;

/**
 * Imports the counter's API and greets through its service every two seconds, on a thread of its generation that
 * the framework interrupts at unload. Edit {@link #GREETING}, rebuild, and the next line shows the new text.
 */
@HotplugModule
public class GreeterModule {

    private static final String GREETING = "Hello";

    @Load
    void load(ModuleContext context) {
        Counter counter = context.service(Counter.class);
        String version = context.version();
        context.threadFactory().newThread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    long n = counter.increment();
                    context.logger().log(System.Logger.Level.INFO, GREETING + " #" + n + " from greeter " + version
                            + " (counter " + counter.version() + ")");
                    Thread.sleep(2000);
                }
            } catch (InterruptedException e) {
                // Unload interrupts the generation's threads: this is the normal way out.
                Thread.currentThread().interrupt();
            }
        }).start();
    }
}
