package dev.hotplug.framework;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Wires the imports of modules about to start to the exports of those modules and of modules already running,
 * and orders them providers first. Pure computation (milliseconds for hundreds of modules); stateless and
 * thread-safe.
 *
 * <p>Rules, in the order they apply:
 * <ul>
 *   <li>Two specs with one name: the higher version starts (equal versions: the jar whose path sorts first);
 *       the other is reported in {@link Resolution#superseded()}. A running module with the name of a spec
 *       being started is being replaced: its exports are not offered.</li>
 *   <li>A package the host provides (see {@code hostPackages}) is taken from the host, never wired to a module,
 *       matching the class loader, which asks the host first for shared packages.</li>
 *   <li>A module importing a package it exports itself, in range, gets its own.</li>
 *   <li>Otherwise, of the running and starting modules exporting the package within the import's range, the
 *       highest exported version wins; ties go to the module whose name sorts first.</li>
 *   <li>A mandatory import nobody exports in range refuses the module, naming the exporters out of range; an
 *       optional one is left unwired. A module whose only providers are refused is refused, naming them.</li>
 *   <li>Modules importing from each other in a cycle are all refused, each naming the cycle.</li>
 * </ul>
 * Imports of running modules are not checked again.
 */
final class DependencyResolver {

    /** What the host provides to every module without an import being wired: the module API. */
    static final Predicate<String> API_ONLY = "dev.hotplug.api"::equals;

    private static final String IMPORT_PREFIX = "Import-Package ";

    /**
     * The outcome of one resolution. All maps are sorted by key and unmodifiable.
     *
     * @param order      the modules to start, each after the modules it imports from
     * @param refused    module name to the one-line reason it will not start
     * @param wiring     for each module in {@code order}: imported package to the name of the module providing
     *                   it (itself for a package it exports and imports; host packages and unwired optional
     *                   imports are absent)
     * @param superseded jar of a spec that lost to a higher version of the same module name, to the line saying so
     */
    record Resolution(List<ModuleSpec> order, Map<String, String> refused,
                      Map<String, Map<String, String>> wiring, Map<Path, String> superseded) {
    }

    /** One module offering one package. */
    private record Exporter(String module, ModuleVersion version) {
    }

    private static final Comparator<Exporter> BEST_FIRST =
            Comparator.comparing(Exporter::version).reversed().thenComparing(Exporter::module);

    private final Predicate<String> hostPackages;
    private final Map<String, ModuleSpec> starting = new TreeMap<>();
    private final Map<String, List<Exporter>> exporters = new HashMap<>();
    private final Set<String> active = new TreeSet<>();
    private final Map<String, String> refused = new TreeMap<>();
    private final Map<Path, String> superseded = new TreeMap<>();

    private DependencyResolver(Predicate<String> hostPackages) {
        this.hostPackages = hostPackages;
    }

    /** Resolves {@code starting} against {@code running}, with only {@code dev.hotplug.api} from the host. */
    static Resolution resolve(Collection<ModuleSpec> starting, Collection<ModuleSpec> running) {
        return resolve(starting, running, API_ONLY);
    }

    /**
     * Resolves {@code starting} against the exports of {@code running}; {@code hostPackages} tells which
     * packages the host provides (the module API and the packages it shares).
     */
    static Resolution resolve(Collection<ModuleSpec> starting, Collection<ModuleSpec> running,
                              Predicate<String> hostPackages) {
        DependencyResolver resolver = new DependencyResolver(hostPackages);
        resolver.pickVersions(starting);
        resolver.index(running);
        return resolver.resolve();
    }

    private void pickVersions(Collection<ModuleSpec> specs) {
        Map<String, List<ModuleSpec>> byName = new TreeMap<>();
        for (ModuleSpec spec : specs) {
            byName.computeIfAbsent(spec.name(), n -> new ArrayList<>()).add(spec);
        }
        for (List<ModuleSpec> same : byName.values()) {
            same.sort(Comparator.comparing(ModuleSpec::version).reversed()
                    .thenComparing(spec -> spec.jar().toString()));
            ModuleSpec winner = same.get(0);
            starting.put(winner.name(), winner);
            for (ModuleSpec loser : same.subList(1, same.size())) {
                superseded.put(loser.jar(), "Cannot start module " + loser.name() + " " + loser.version() + " ("
                        + loser.jar().getFileName() + "): version " + winner.version() + " from "
                        + winner.jar().getFileName() + " runs instead");
            }
        }
    }

    private void index(Collection<ModuleSpec> running) {
        for (ModuleSpec spec : running) {
            if (!starting.containsKey(spec.name())) {
                addExports(spec);
            }
        }
        for (ModuleSpec spec : starting.values()) {
            addExports(spec);
        }
        for (List<Exporter> list : exporters.values()) {
            list.sort(BEST_FIRST);
        }
        active.addAll(starting.keySet());
    }

    private void addExports(ModuleSpec spec) {
        for (PackageExport export : spec.exports()) {
            exporters.computeIfAbsent(export.packageName(), p -> new ArrayList<>())
                    .add(new Exporter(spec.name(), export.version()));
        }
    }

    private Resolution resolve() {
        Map<String, Map<String, String>> wiring = new TreeMap<>();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (String name : List.copyOf(active)) {
                Map<String, String> wires = wire(starting.get(name));
                if (wires == null) {
                    changed = true;
                } else {
                    wiring.put(name, wires);
                }
            }
            if (!changed) {
                changed = refuseCycles(wiring);
            }
        }
        wiring.keySet().retainAll(active);
        List<ModuleSpec> order = order(wiring);
        Map<String, Map<String, String>> frozen = new TreeMap<>();
        wiring.forEach((name, wires) -> frozen.put(name, Collections.unmodifiableMap(wires)));
        return new Resolution(List.copyOf(order), Collections.unmodifiableMap(refused),
                Collections.unmodifiableMap(frozen), Collections.unmodifiableMap(superseded));
    }

    /** The wiring of {@code spec}'s imports, or {@code null} after refusing it. */
    private Map<String, String> wire(ModuleSpec spec) {
        Map<String, String> wires = new TreeMap<>();
        for (PackageImport imported : spec.imports()) {
            String packageName = imported.packageName();
            if (hostPackages.test(packageName)) {
                continue;
            }
            ModuleVersion own = spec.exportedVersion(packageName);
            if (own != null && imported.range().includes(own)) {
                wires.put(packageName, spec.name());
                continue;
            }
            String provider = null;
            List<String> refusedProviders = new ArrayList<>();
            for (Exporter exporter : exporters.getOrDefault(packageName, List.of())) {
                if (!imported.range().includes(exporter.version()) || exporter.module().equals(spec.name())) {
                    continue;
                }
                if (refused.containsKey(exporter.module())) {
                    refusedProviders.add(exporter.module());
                } else {
                    provider = exporter.module();
                    break;
                }
            }
            if (provider != null) {
                wires.put(packageName, provider);
            } else if (!refusedProviders.isEmpty()) {
                refuse(spec, IMPORT_PREFIX + imported.toString() + " is exported only by refused module"
                        + (refusedProviders.size() > 1 ? "s " : " ") + String.join(", ", refusedProviders));
                return null;
            } else if (!imported.optional()) {
                refuse(spec, IMPORT_PREFIX + imported.toString() + " is exported by no module"
                        + outOfRange(spec, packageName));
                return null;
            }
        }
        return wires;
    }

    private String outOfRange(ModuleSpec spec, String packageName) {
        List<String> others = new ArrayList<>();
        for (Exporter exporter : exporters.getOrDefault(packageName, List.of())) {
            if (!exporter.module().equals(spec.name())) {
                others.add(exporter.module() + " exports " + exporter.version());
            }
        }
        ModuleVersion own = spec.exportedVersion(packageName);
        if (own != null) {
            others.add(0, "it exports " + own + " itself");
        }
        return others.isEmpty() ? "" : " (" + String.join(", ", others) + ")";
    }

    private void refuse(ModuleSpec spec, String cause) {
        active.remove(spec.name());
        refused.put(spec.name(), "Cannot resolve module " + spec.name() + " (" + spec.jar().getFileName() + "): "
                + cause);
    }

    /** Refuses every module on an import cycle among the active modules; true when it refused any. */
    private boolean refuseCycles(Map<String, Map<String, String>> wiring) {
        Map<String, Set<String>> edges = edges(wiring);
        List<Set<String>> cycles = new Tarjan(edges).cycles();
        for (Set<String> component : cycles) {
            Map<String, String> causes = new LinkedHashMap<>();
            for (String member : component) {
                causes.put(member, "dependency cycle " + String.join(" -> ", shortestCycle(member, component, edges)));
            }
            causes.forEach((member, cause) -> refuse(starting.get(member), cause));
        }
        return !cycles.isEmpty();
    }

    /** Importer to the active modules it imports from (itself excluded); sorted for determinism. */
    private Map<String, Set<String>> edges(Map<String, Map<String, String>> wiring) {
        Map<String, Set<String>> edges = new TreeMap<>();
        for (String name : active) {
            Set<String> providers = new TreeSet<>();
            for (String provider : wiring.getOrDefault(name, Map.of()).values()) {
                if (!provider.equals(name) && active.contains(provider)) {
                    providers.add(provider);
                }
            }
            edges.put(name, providers);
        }
        return edges;
    }

    /** The shortest cycle through {@code start} inside {@code component}, rotated to begin at its least name. */
    private static List<String> shortestCycle(String start, Set<String> component, Map<String, Set<String>> edges) {
        Map<String, String> parent = new HashMap<>();
        ArrayDeque<String> queue = new ArrayDeque<>();
        queue.add(start);
        String last = null;
        while (!queue.isEmpty() && last == null) {
            String node = queue.poll();
            for (String next : edges.get(node)) {
                if (next.equals(start)) {
                    last = node;
                    break;
                }
                if (component.contains(next) && !parent.containsKey(next)) {
                    parent.put(next, node);
                    queue.add(next);
                }
            }
        }
        List<String> cycle = new ArrayList<>();
        for (String node = last; node != null && !node.equals(start); node = parent.get(node)) {
            cycle.add(node);
        }
        cycle.add(start);
        Collections.reverse(cycle);
        int least = cycle.indexOf(Collections.min(cycle));
        List<String> rotated = new ArrayList<>(cycle.subList(least, cycle.size()));
        rotated.addAll(cycle.subList(0, least));
        rotated.add(rotated.get(0));
        return rotated;
    }

    /** Kahn's topological order of the active modules, providers first, ties by name. */
    private List<ModuleSpec> order(Map<String, Map<String, String>> wiring) {
        Map<String, Set<String>> edges = edges(wiring);
        Map<String, Integer> pending = new HashMap<>();
        Map<String, List<String>> importers = new HashMap<>();
        for (Map.Entry<String, Set<String>> entry : edges.entrySet()) {
            pending.put(entry.getKey(), entry.getValue().size());
            for (String provider : entry.getValue()) {
                importers.computeIfAbsent(provider, p -> new ArrayList<>()).add(entry.getKey());
            }
        }
        PriorityQueue<String> ready = new PriorityQueue<>();
        pending.forEach((name, count) -> {
            if (count == 0) {
                ready.add(name);
            }
        });
        List<ModuleSpec> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            String name = ready.poll();
            order.add(starting.get(name));
            for (String importer : importers.getOrDefault(name, List.of())) {
                if (pending.merge(importer, -1, Integer::sum) == 0) {
                    ready.add(importer);
                }
            }
        }
        if (order.size() != edges.size()) {
            throw new IllegalStateException("import cycle left after cycles were refused: " + edges);
        }
        return order;
    }

    /** Tarjan's strongly connected components; reports those with more than one module. */
    private static final class Tarjan {
        private final Map<String, Set<String>> edges;
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> low = new HashMap<>();
        private final ArrayDeque<String> stack = new ArrayDeque<>();
        private final Set<String> onStack = new TreeSet<>();
        private final List<Set<String>> cycles = new ArrayList<>();

        Tarjan(Map<String, Set<String>> edges) {
            this.edges = edges;
        }

        List<Set<String>> cycles() {
            for (String node : edges.keySet()) {
                if (!index.containsKey(node)) {
                    visit(node);
                }
            }
            return cycles;
        }

        private void visit(String node) {
            index.put(node, index.size());
            low.put(node, index.get(node));
            stack.push(node);
            onStack.add(node);
            for (String next : edges.get(node)) {
                if (!index.containsKey(next)) {
                    visit(next);
                    low.put(node, Math.min(low.get(node), low.get(next)));
                } else if (onStack.contains(next)) {
                    low.put(node, Math.min(low.get(node), index.get(next)));
                }
            }
            if (low.get(node).equals(index.get(node))) {
                Set<String> component = new TreeSet<>();
                String member;
                do {
                    member = stack.pop();
                    onStack.remove(member);
                    component.add(member);
                } while (!member.equals(node));
                if (component.size() > 1) {
                    cycles.add(component);
                }
            }
        }
    }
}
