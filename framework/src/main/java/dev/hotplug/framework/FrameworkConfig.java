package dev.hotplug.framework;

import java.nio.file.Path;
import java.util.Set;

/**
 * The framework's settings, fixed at build time.
 *
 * @param modulesFolder the watched folder (loose native libraries resolve there too)
 * @param stateFolder where state files, last-good jars and module data live
 * @param cacheFolder this process's cache: jar copies and generation folders
 * @param hostLoader the loader serving host-shared packages
 * @param sharedPackages packages shared with modules, exact or {@code prefix.*}
 * @param lifecycleTimeoutMillis default time limit of a lifecycle method
 * @param serviceWaitMillis how long a service call waits for a provider or a reload
 * @param drainTimeoutMillis how long a reload waits for calls in flight before it is abandoned
 * @param threadJoinMillis how long an unload waits for the generation's threads to end
 */
record FrameworkConfig(Path modulesFolder, Path stateFolder, Path cacheFolder, ClassLoader hostLoader,
                       Set<String> sharedPackages, long lifecycleTimeoutMillis, long serviceWaitMillis,
                       long drainTimeoutMillis, long threadJoinMillis) {

    /** The time limit for a lifecycle method whose annotation says {@code timeoutMillis}. */
    long limitFor(LifecycleMethod method) {
        return method != null && method.timeoutMillis() > 0 ? method.timeoutMillis() : lifecycleTimeoutMillis;
    }

    /** Whether the host provides {@code packageName} to modules: the module API, or a shared package. */
    boolean hostProvides(String packageName) {
        if (packageName.equals("dev.hotplug.api") || sharedPackages.contains(packageName)) {
            return true;
        }
        for (String shared : sharedPackages) {
            if (shared.endsWith(".*") && (packageName + ".").startsWith(shared.substring(0, shared.length() - 1))) {
                return true;
            }
        }
        return false;
    }
}
