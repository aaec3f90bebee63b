package dev.hotplug.state;

import com.fasterxml.jackson.core.TreeNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hotplug.testkit.ModuleJarBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;

/** Test fixtures: module jars that may use Jackson, their class loaders, and waiting for a loader to be collected. */
final class TestJars {

    private TestJars() {
    }

    /** A module builder whose sources may use Jackson's tree types (as {@code @Migrate} methods do). */
    static ModuleJarBuilder module(String name, String version) {
        return ModuleJarBuilder.module(name, version)
                .compileClassPath(location(ObjectNode.class))
                .compileClassPath(location(TreeNode.class));
    }

    /** A fresh loader for {@code jar} whose parent is the test's loader: it sees Jackson and the module API. */
    static URLClassLoader loader(Path jar) {
        try {
            return new URLClassLoader("module:" + jar.getFileName(), new URL[] {jar.toUri().toURL()},
                    TestJars.class.getClassLoader());
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void close(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs GC rounds until {@code queue} reports a reference cleared, or {@code limit} passes; true when one was.
     * Waits on the queue itself between rounds, so it returns as soon as the collector has done its part.
     */
    static boolean collected(ReferenceQueue<?> queue, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        do {
            System.gc();
            Reference<?> cleared = queue.remove(50);
            if (cleared != null) {
                return true;
            }
        } while (System.nanoTime() < deadline);
        return false;
    }

    private static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
