package dev.hotplug.benchmarks;

import dev.hotplug.benchmarks.fixture.Probe;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.FrameworkWiring;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The Felix framework 7.0.5 embedded in this JVM with one bundle installed and started; the host exports the fixture
 * package through the system bundle. Not thread-safe.
 */
final class FelixHost implements AutoCloseable {

    private final Framework framework;
    private final Bundle bundle;

    private FelixHost(Framework framework, Bundle bundle) {
        this.framework = framework;
        this.bundle = bundle;
    }

    /** Starts a fresh framework with its cache in {@code storage}, then installs and starts {@code jar}. */
    static FelixHost start(Path storage, Path jar) {
        Map<String, String> config = Map.of(
                Constants.FRAMEWORK_STORAGE, storage.toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT,
                Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "dev.hotplug.benchmarks.fixture;version=1.0.0");
        Framework framework = new FrameworkFactory().newFramework(config);
        try (InputStream in = Files.newInputStream(jar)) {
            framework.start();
            Bundle bundle = framework.getBundleContext().installBundle("bench-calc", in);
            bundle.start();
            return new FelixHost(framework, bundle);
        } catch (BundleException e) {
            throw new IllegalStateException("Cannot start Felix with " + jar.getFileName() + ": " + e, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code Bundle.update} from {@code jar} (it returns once the new activator ran); with {@code refresh}, then
     * {@code refreshBundles}, waiting for its {@code PACKAGES_REFRESHED} event (the activator ran a second time).
     */
    void update(Path jar, boolean refresh) {
        try (InputStream in = Files.newInputStream(jar)) {
            bundle.update(in);
            if (refresh) {
                CountDownLatch done = new CountDownLatch(1);
                framework.adapt(FrameworkWiring.class).refreshBundles(List.of(bundle), event -> {
                    if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                        done.countDown();
                    }
                });
                if (!done.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("Cannot refresh bundle bench.calc: no PACKAGES_REFRESHED in 30 s");
                }
            }
        } catch (BundleException e) {
            throw new IllegalStateException("Cannot update bundle bench.calc from " + jar.getFileName() + ": " + e, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Cannot refresh bundle bench.calc: interrupted", e);
        }
    }

    /** The version whose activator ran last. */
    String startedVersion() {
        return Probe.started();
    }

    /** Stops the framework, waiting up to 10 s. */
    @Override
    public void close() {
        try {
            framework.stop();
            framework.waitForStop(10_000);
        } catch (BundleException e) {
            throw new IllegalStateException("Cannot stop Felix: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Cannot stop Felix: interrupted", e);
        }
    }
}
