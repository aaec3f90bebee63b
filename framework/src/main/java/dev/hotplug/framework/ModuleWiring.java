package dev.hotplug.framework;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** Links a spec's imports to exporter generations: those of a transaction first, then the serving ones. */
final class ModuleWiring {

    private ModuleWiring() {
    }

    /**
     * Returns imported package → exporter generation for {@code spec}. Among exporters in range the highest package
     * version wins; packages the module exports itself resolve to itself and are left out.
     *
     * @param preferred generations staged in the same transaction, by module name; they hide the serving ones
     * @param records every module record, whose serving generations export too
     * @param hostProvides packages the host gives every module, which need no exporter
     * @throws HotplugException naming the module and the package when a non-optional import has no exporter
     */
    static Map<String, ModuleGeneration> wire(ModuleSpec spec, Map<String, ModuleGeneration> preferred,
                                              Collection<ModuleRecord> records, Predicate<String> hostProvides) {
        List<String> missing = new ArrayList<>();
        Map<String, ModuleGeneration> wiring = link(spec, preferred, records, hostProvides, missing);
        if (!missing.isEmpty()) {
            throw new HotplugException(missing.get(0), spec.name(), spec.version().toString(), spec.jar());
        }
        return wiring;
    }

    /** Whether every non-optional import of {@code spec} has a serving exporter now. */
    static boolean resolvable(ModuleSpec spec, Collection<ModuleRecord> records, Predicate<String> hostProvides) {
        List<String> missing = new ArrayList<>();
        link(spec, Map.of(), records, hostProvides, missing);
        return missing.isEmpty();
    }

    private static Map<String, ModuleGeneration> link(ModuleSpec spec, Map<String, ModuleGeneration> preferred,
                                                      Collection<ModuleRecord> records, Predicate<String> hostProvides,
                                                      List<String> missing) {
        List<ModuleGeneration> candidates = new ArrayList<>(preferred.values());
        for (ModuleRecord record : records) {
            ModuleGeneration active = record.active();
            if (active != null && !preferred.containsKey(record.name())) {
                candidates.add(active);
            }
        }
        Map<String, ModuleGeneration> wiring = new HashMap<>();
        for (PackageImport wanted : spec.imports()) {
            if (spec.exportedVersion(wanted.packageName()) != null || hostProvides.test(wanted.packageName())) {
                continue;
            }
            ModuleGeneration best = null;
            ModuleVersion bestVersion = null;
            List<String> outOfRange = new ArrayList<>();
            for (ModuleGeneration candidate : candidates) {
                if (candidate.name().equals(spec.name())) {
                    continue;
                }
                ModuleVersion offered = candidate.spec.exportedVersion(wanted.packageName());
                if (offered == null) {
                    continue;
                }
                if (!wanted.range().includes(offered)) {
                    outOfRange.add(candidate.name() + " exports " + offered);
                } else if (bestVersion == null || offered.compareTo(bestVersion) > 0) {
                    best = candidate;
                    bestVersion = offered;
                }
            }
            if (best != null) {
                wiring.put(wanted.packageName(), best);
            } else if (!wanted.optional()) {
                missing.add("Cannot resolve module " + spec.name() + " " + spec.version() + " ("
                        + spec.jar().getFileName() + "): Import-Package " + wanted + " is exported by no running module"
                        + (outOfRange.isEmpty() ? "" : " (" + String.join(", ", outOfRange) + ")"));
            }
        }
        return wiring;
    }

    /**
     * The records whose serving generation links, directly or through others, against {@code root}'s; ordered providers
     * first, {@code root} not included.
     */
    static List<ModuleRecord> dependentsOf(ModuleRecord root, Collection<ModuleRecord> records) {
        Set<ModuleRecord> closure = new LinkedHashSet<>();
        Deque<ModuleRecord> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            ModuleGeneration provider = todo.poll().active();
            for (ModuleRecord record : records) {
                ModuleGeneration gen = record.active();
                if (provider != null && gen != null && gen != provider && gen.importsFrom(provider)
                        && record != root && closure.add(record)) {
                    todo.add(record);
                }
            }
        }
        // Kahn's order over the closure: a record comes once every closure member it links against is placed.
        List<ModuleRecord> ordered = new ArrayList<>();
        Set<ModuleGeneration> placed = new HashSet<>();
        placed.add(root.active());
        while (ordered.size() < closure.size()) {
            boolean progressed = false;
            for (ModuleRecord record : closure) {
                ModuleGeneration gen = record.active();
                if (placed.contains(gen)) {
                    continue;
                }
                boolean ready = true;
                for (ModuleGeneration exporter : gen.wiring.values()) {
                    if (!placed.contains(exporter) && closure.contains(exporter.record)) {
                        ready = false;
                    }
                }
                if (ready) {
                    ordered.add(record);
                    placed.add(gen);
                    progressed = true;
                }
            }
            if (!progressed) {
                throw new IllegalStateException("Cannot order the dependents of module " + root.name() + ": they link in a cycle");
            }
        }
        return ordered;
    }
}
