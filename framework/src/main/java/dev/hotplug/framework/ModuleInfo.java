package dev.hotplug.framework;

import java.nio.file.Path;
import java.util.List;

/**
 * A snapshot of one module, as {@code info} shows it. Immutable.
 *
 * @param name the module name
 * @param version the serving (or last tried) version
 * @param generation the serving generation, 0 when none serves
 * @param status the status users see
 * @param file the jar it was deployed from
 * @param exports exported packages, {@code pkg;version=x}
 * @param imports imported packages, {@code pkg;version="range"}
 * @param services service interfaces it registered
 * @param nativeLibraries native libraries its generation loaded, {@code name: source -> copy}
 * @param lastError the last failure, one line; {@code null} when none
 * @param reloads how many reloads swapped since the first start, an importer's reloads with its provider included;
 *                rollbacks do not count
 */
public record ModuleInfo(String name, String version, long generation, ModuleStatus status, Path file,
                         List<String> exports, List<String> imports, List<String> services,
                         List<String> nativeLibraries, String lastError, long reloads) {
}
