package dev.hotplug.console;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hotplug.framework.HistoryEntry;
import dev.hotplug.framework.Hotplug;
import dev.hotplug.framework.HotplugException;
import dev.hotplug.framework.ModuleInfo;
import dev.hotplug.framework.ModuleStatus;
import dev.hotplug.framework.Outcome;
import dev.hotplug.isolation.LeakWatcher;
import dev.hotplug.state.StateRecord;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * SPEC's admin commands as Felix Gogo commands (scope {@code hotplug}): every public method is a command, each with
 * {@code --json}. Commands that change something are written to the audit log with the session's peer. Thread-safe;
 * the changing commands block until the framework's operation is done.
 */
public final class HotplugCommands {

    /** The Gogo scope the commands are registered under. */
    public static final String SCOPE = "hotplug";

    private static final String JSON_DESC = "machine-readable output";

    private final Hotplug hotplug;
    private final AuditLog audit;
    private final Function<CommandSession, String> peers;

    private final Runnable askStop;

    HotplugCommands(Hotplug hotplug, AuditLog audit, Function<CommandSession, String> peers, Runnable askStop) {
        this.hotplug = hotplug;
        this.audit = audit;
        this.peers = peers;
        this.askStop = askStop;
    }

    /** Every module: name, version, generation, status and reload count. */
    @Descriptor("list modules: name, version, generation, status, reloads")
    public String list(@Parameter(names = {"--json"}, presentValue = "true", absentValue = "false")
                       @Descriptor(JSON_DESC) boolean json) {
        List<ModuleInfo> modules = hotplug.modules();
        if (json) {
            return ConsoleJson.write(ConsoleJson.array(modules.stream().map(ConsoleJson::listItem).toList()));
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAME", "VERSION", "GEN", "STATUS", "RELOADS"));
        for (ModuleInfo m : modules) {
            rows.add(List.of(m.name(), String.valueOf(m.version()), String.valueOf(m.generation()), m.status().name(),
                    String.valueOf(m.reloads())));
        }
        return TextTable.render(rows);
    }

    /** One module in detail. */
    @Descriptor("show a module: version, status, file, exports, imports, services, native libraries, last error")
    public String info(@Parameter(names = {"--json"}, presentValue = "true", absentValue = "false")
                       @Descriptor(JSON_DESC) boolean json, @Descriptor("module name") String name) {
        ModuleInfo m = module(name, "show");
        if (json) {
            return ConsoleJson.write(ConsoleJson.info(m));
        }
        return TextTable.fields(List.of(
                "name", m.name(), "version", String.valueOf(m.version()), "generation", String.valueOf(m.generation()),
                "status", m.status().name(), "file", String.valueOf(m.file()), "exports", join(m.exports()),
                "imports", join(m.imports()), "services", join(m.services()),
                "nativeLibraries", join(m.nativeLibraries()), "lastError", m.lastError() == null ? "-" : m.lastError(),
                "reloads", String.valueOf(m.reloads())));
    }

    /** Reloads a module from its jar through the transaction; an attempt that does not swap is an error. */
    @Descriptor("reload a module from its jar (fails when the new version rolls back or is refused)")
    public String reload(CommandSession session,
                         @Parameter(names = {"--json"}, presentValue = "true", absentValue = "false")
                         @Descriptor(JSON_DESC) boolean json, @Descriptor("module name") String name) {
        return audited(session, "reload " + name, name, () -> attempt(hotplug.reload(name), json, "reload"));
    }

    /** Goes back to the version that served before the current one, carrying the current state. */
    @Descriptor("go back to the previous version of a module, carrying its state")
    public String rollback(CommandSession session,
                           @Parameter(names = {"--json"}, presentValue = "true", absentValue = "false")
                           @Descriptor(JSON_DESC) boolean json, @Descriptor("module name") String name) {
        return audited(session, "rollback " + name, name, () -> attempt(hotplug.rollback(name), json, "roll back"));
    }

    /** A module's reload attempts, oldest first. */
    @Descriptor("show a module's reload attempts: from, to, outcome, millis, pause, cause")
    public String history(@Parameter(names = {"--json"}, presentValue = "true", absentValue = "false")
                          @Descriptor(JSON_DESC) boolean json, @Descriptor("module name") String name) {
        module(name, "show the history of");
        List<HistoryEntry> entries = hotplug.history(name);
        if (json) {
            return ConsoleJson.write(ConsoleJson.array(entries.stream().map(ConsoleJson::history).toList()));
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("AT", "FROM", "TO", "OUTCOME", "MILLIS", "PAUSE_MS", "CAUSE"));
        for (HistoryEntry h : entries) {
            rows.add(List.of(String.valueOf(h.at()), h.from() == null ? "-" : h.from(), h.to(), h.outcome().name(),
                    String.valueOf(h.millis()), String.format(java.util.Locale.ROOT, "%.2f", h.pauseMicros() / 1000.0),
                    h.cause() == null ? "-" : h.cause()));
        }
        return TextTable.render(rows);
    }

    /** The state last written to disk for a module. */
    @Descriptor("show the state last written to disk for a module")
    public String state(@Parameter(names = {"--json"}, presentValue = "true", absentValue = "false")
                        @Descriptor(JSON_DESC) boolean json, @Descriptor("module name") String name) {
        StateRecord record = hotplug.savedState(name).orElseThrow(() -> new ConsoleException(
                "Cannot show the state of module " + name + ": " + (hotplug.module(name).isPresent()
                        ? "none on disk reads: none was written yet (state is written when a version unloads), or"
                        + " what was written is damaged (the process log names the file, moved aside)"
                        : "no such module, and no state of that name on disk"), name, null));
        ObjectNode node = ConsoleJson.state(name, record);
        if (json) {
            return ConsoleJson.write(node);
        }
        return name + ": state version " + record.stateVersion() + ", written " + record.writtenAt() + " by version "
                + record.moduleVersion() + "\n" + ConsoleJson.write(record.state());
    }

    /** Deploys a module jar: starts it, or reloads the module of that name. */
    @Descriptor("deploy a module jar (a path on the server): start it, or reload the module of that name")
    public String deploy(CommandSession session,
                         @Parameter(names = {"--json"}, presentValue = "true", absentValue = "false")
                         @Descriptor(JSON_DESC) boolean json, @Descriptor("jar path") String path) {
        return audited(session, "deploy " + path, null, () -> {
            Instant asked = Instant.now();
            ModuleInfo m = hotplug.deploy(Path.of(path).toAbsolutePath());
            List<HistoryEntry> history = hotplug.history(m.name());
            HistoryEntry last = history.isEmpty() ? null : history.get(history.size() - 1);
            boolean answered = last != null && !last.at().isBefore(asked);
            if (answered && (last.outcome() == Outcome.ROLLED_BACK || last.outcome() == Outcome.REFUSED)) {
                attempt(last, json, "deploy"); // throws, naming the outcome and its cause
            }
            if (m.status() == ModuleStatus.FAILED) {
                throw new ConsoleException("Cannot deploy module " + m.name() + " " + m.version() + " from " + path
                        + ": " + m.lastError(), m.name(), null);
            }
            if (json) {
                return ConsoleJson.write(ConsoleJson.info(m));
            }
            return "deployed " + m.name() + " " + m.version() + " (generation " + m.generation() + ", " + m.status()
                    + (m.lastError() == null ? "" : ": " + m.lastError()) + ")";
        });
    }

    /** Takes a module out: state written, {@code @Shutdown} run. */
    @Descriptor("take a module out of the process (its state is written, @Shutdown runs)")
    public String undeploy(CommandSession session,
                           @Parameter(names = {"--json"}, presentValue = "true", absentValue = "false")
                           @Descriptor(JSON_DESC) boolean json, @Descriptor("module name") String name) {
        return audited(session, "undeploy " + name, name, () -> {
            hotplug.undeploy(name);
            if (json) {
                ObjectNode node = ConsoleJson.MAPPER.createObjectNode();
                node.put("name", name);
                node.put("undeployed", true);
                return ConsoleJson.write(node);
            }
            return "undeployed " + name;
        });
    }

    /** Stops the process gracefully once this answer is out: every module unloads, writes its state, runs @Shutdown. */
    @Descriptor("stop the process gracefully: every module unloads, writes its state and runs @Shutdown")
    public String stop(CommandSession session,
                       @Parameter(names = {"--json"}, presentValue = "true", absentValue = "false")
                       @Descriptor(JSON_DESC) boolean json) {
        return audited(session, "stop", null, () -> {
            askStop.run();
            if (json) {
                ObjectNode node = ConsoleJson.MAPPER.createObjectNode();
                node.put("stopping", true);
                node.put("modules", hotplug.modules().size());
                return ConsoleJson.write(node);
            }
            return "stopping: " + hotplug.modules().size() + " module(s) unload and write their state, then the process"
                    + " exits";
        });
    }

    /** Released generations still alive; blocks for a few GC rounds. */
    @Descriptor("list released generations still alive (classloader reachable or threads running)")
    public String leaks(@Parameter(names = {"--json"}, presentValue = "true", absentValue = "false")
                        @Descriptor(JSON_DESC) boolean json) {
        List<LeakWatcher.Leak> leaks = hotplug.leaks();
        if (json) {
            return ConsoleJson.write(ConsoleJson.array(leaks.stream().map(ConsoleJson::leak).toList()));
        }
        if (leaks.isEmpty()) {
            return "no leaks: every released generation was collected";
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAME", "GEN", "RELEASED", "REASON"));
        for (LeakWatcher.Leak l : leaks) {
            rows.add(List.of(l.module(), String.valueOf(l.generation()), String.valueOf(l.releasedAt()), l.reason()));
        }
        return TextTable.render(rows);
    }

    /** Every command with its one-line description. */
    @Descriptor("list the commands with a one-line description")
    public String help(@Parameter(names = {"--json"}, presentValue = "true", absentValue = "false")
                       @Descriptor(JSON_DESC) boolean json) {
        return help(json, commands());
    }

    /** One command's description and usage. */
    @Descriptor("describe one command")
    public String help(@Parameter(names = {"--json"}, presentValue = "true", absentValue = "false")
                       @Descriptor(JSON_DESC) boolean json, @Descriptor("command name") String command) {
        String usage = usages().get(command);
        if (usage == null) {
            throw new ConsoleException("Cannot describe command " + command + ": no such command; try help", null, null);
        }
        return help(json, Map.of(command, commands().get(command)));
    }

    /** Command name to one-line description, sorted by name. */
    static Map<String, String> commands() {
        Map<String, String> commands = new TreeMap<>();
        for (Method method : HotplugCommands.class.getMethods()) {
            Descriptor d = method.getAnnotation(Descriptor.class);
            if (d != null && method.getDeclaringClass() == HotplugCommands.class
                    && !commands.containsKey(method.getName())) {
                commands.put(method.getName(), d.value());
            }
        }
        commands.put("help", "list the commands with a one-line description; help COMMAND describes one");
        return commands;
    }

    /** Command name to its usage line. */
    static Map<String, String> usages() {
        Map<String, String> usages = new TreeMap<>();
        for (String c : commands().keySet()) {
            usages.put(c, c + switch (c) {
                case "list", "leaks", "stop" -> " [--json]";
                case "deploy" -> " PATH [--json]";
                case "help" -> " [COMMAND] [--json]";
                default -> " NAME [--json]";
            });
        }
        return usages;
    }

    private String help(boolean json, Map<String, String> commands) {
        Map<String, String> usages = usages();
        if (json) {
            List<ObjectNode> items = new ArrayList<>();
            commands.forEach((name, description) -> {
                ObjectNode node = ConsoleJson.MAPPER.createObjectNode();
                node.put("name", name);
                node.put("usage", usages.get(name));
                node.put("description", description);
                items.add(node);
            });
            return ConsoleJson.write(ConsoleJson.array(items));
        }
        List<List<String>> rows = new ArrayList<>();
        commands.forEach((name, description) -> rows.add(List.of(usages.get(name), description)));
        return TextTable.render(rows) + "\nScope " + SCOPE + " (hotplug:list = list); pipes and variables work: "
                + "list | grep counter; also echo, grep, head, tail, wc, sort.";
    }

    private String attempt(HistoryEntry entry, boolean json, String action) {
        if (entry.outcome() != Outcome.SWAPPED) {
            String what = switch (entry.outcome()) {
                case ROLLED_BACK -> "version " + entry.to() + " rolled back to " + entry.from();
                case REFUSED -> "version " + entry.to() + " was refused, " + entry.from() + " serves on";
                default -> "version " + entry.to() + " failed and so did the rollback; the module is FAILED";
            };
            throw new ConsoleException("Cannot " + action + " module " + entry.module() + ": " + what + ": "
                    + entry.cause(), entry.module(), null);
        }
        if (json) {
            ObjectNode node = ConsoleJson.history(entry);
            node.put("name", entry.module());
            return ConsoleJson.write(node);
        }
        return (action.equals("reload") ? "reloaded " : "rolled back ") + entry.module() + " " + entry.from() + " -> "
                + entry.to() + " in " + entry.millis() + " ms";
    }

    private interface Change {
        String run();
    }

    private String audited(CommandSession session, String command, String module, Change change) {
        String peer = peers.apply(session);
        try {
            String output = change.run();
            audit.record(peer, command, "ok");
            return output;
        } catch (ConsoleException e) {
            audit.record(peer, command, "error: " + e.getMessage());
            throw e;
        } catch (HotplugException e) {
            audit.record(peer, command, "error: " + e.getMessage());
            throw new ConsoleException(e.getMessage(), e.module() != null ? e.module() : module, e);
        } catch (RuntimeException e) {
            audit.record(peer, command, "error: " + e);
            throw e;
        }
    }

    private ModuleInfo module(String name, String action) {
        return hotplug.module(name).orElseThrow(() -> new ConsoleException(
                "Cannot " + action + " module " + name + ": no such module", name, null));
    }

    private static String join(List<String> values) {
        return values.isEmpty() ? "-" : String.join(", ", values);
    }
}
