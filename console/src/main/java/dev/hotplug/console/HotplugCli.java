package dev.hotplug.console;

import dev.hotplug.framework.Hotplug;
import dev.hotplug.framework.HotplugException;
import dev.hotplug.framework.ModuleInfo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code ./hotplug} command line. {@code run} starts the framework on a modules folder, watching it, with the admin
 * port and (on a terminal) the interactive console, until {@code SIGTERM}, Ctrl-C or {@code exit}, then stops
 * gracefully. {@code ctl} runs one admin command against a running process.
 */
public final class HotplugCli {

    static final String DEFAULT_ADMIN = "127.0.0.1:7431";
    static final Path DEFAULT_STATE = Path.of(".hotplug", "state");

    private static final String USAGE = "usage: hotplug run [--modules DIR] [--state DIR] [--admin HOST:PORT] "
            + "[--admin-bind-any] [--no-console] [--share PKG]...\n"
            + "       hotplug ctl [--admin HOST:PORT] [--state DIR] COMMAND [ARGS] [--json]";

    private HotplugCli() {
    }

    /** Entry point: exits with the command's status (2 on a usage error). */
    public static void main(String[] args) throws InterruptedException, IOException {
        List<String> rest = new ArrayList<>(List.of(args));
        String command = rest.isEmpty() ? "" : rest.remove(0);
        int status = switch (command) {
            case "run" -> run(rest, System.out, System.err);
            case "ctl" -> ctl(rest.toArray(String[]::new), System.out, System.err);
            case "--help", "-h", "help" -> {
                System.out.println(USAGE);
                yield 0;
            }
            default -> usage(System.err, command.isEmpty() ? "no command" : "unknown command " + command);
        };
        System.exit(status);
    }

    /**
     * {@code ctl [--admin HOST:PORT] [--state DIR] [--json] COMMAND [ARGS] [--json]}: runs one command on a running
     * process; its output goes to {@code out}. Returns 0 on success, 1 with the error on {@code err} when it failed, 2
     * on a usage error. Blocks until the answer is complete.
     */
    public static int ctl(String[] args, PrintStream out, PrintStream err) {
        String admin = DEFAULT_ADMIN;
        Path state = DEFAULT_STATE;
        boolean json = false;
        int i = 0;
        for (; i < args.length && args[i].startsWith("--"); i++) {
            String option = args[i];
            if (option.equals("--json")) {
                json = true;
                continue;
            }
            if (option.equals("--help")) {
                out.println(USAGE);
                out.println("ctl help lists the console's commands; ctl help COMMAND describes one");
                return 0;
            }
            if (!option.equals("--admin") && !option.equals("--state")) {
                return usage(err, "unknown option " + option + " before the COMMAND");
            }
            if (i + 1 >= args.length) {
                return usage(err, option + " needs a value");
            }
            String value = args[++i];
            if (option.equals("--admin")) {
                admin = value;
            } else {
                state = Path.of(value);
            }
        }
        if (i >= args.length) {
            return usage(err, "ctl needs a COMMAND (try: ctl help)");
        }
        InetSocketAddress address;
        try {
            address = address(admin);
        } catch (ConsoleException e) {
            return usage(err, e.getMessage());
        }
        List<String> words = List.of(args).subList(i, args.length);
        if (words.size() == 1 && words.get(0).strip().matches("exit|quit")) {
            return usage(err, "ctl runs one command and opens no session for " + words.get(0).strip()
                    + " to end; ctl stop stops the process");
        }
        if (json && words.size() == 1 && words.get(0).matches(".*[|;&].*")) {
            return usage(err, "--json before a pipeline cannot tell which command it is for: put it after that command");
        }
        // The commands take --json as their last word; given before the command, it goes there.
        String line = CtlClient.commandLine(words) + (json && !words.contains("--json") ? " --json" : "");
        return CtlClient.run(address, state.resolve(AdminToken.FILE_NAME), line, out, err);
    }

    static int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException, IOException {
        Path modules = Path.of("modules");
        Path state = DEFAULT_STATE;
        String admin = DEFAULT_ADMIN;
        boolean bindAny = false;
        boolean console = true;
        List<String> shared = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            switch (option) {
                case "--admin-bind-any" -> bindAny = true;
                case "--no-console" -> console = false;
                case "--modules", "--state", "--share", "--admin" -> {
                    if (i + 1 >= args.size()) {
                        return usage(err, option + " needs a value");
                    }
                    String value = args.get(++i);
                    switch (option) {
                        case "--modules" -> modules = Path.of(value);
                        case "--state" -> state = Path.of(value);
                        case "--share" -> shared.add(value);
                        default -> admin = value;
                    }
                }
                default -> {
                    return usage(err, "unknown option " + option);
                }
            }
        }
        InetSocketAddress adminAddress;
        try {
            adminAddress = address(admin);
        } catch (ConsoleException e) {
            return usage(err, e.getMessage());
        }
        Hotplug hotplug;
        AdminShell shell;
        AdminServer server;
        try {
            hotplug = Hotplug.builder().modulesFolder(modules).stateFolder(state).watch(true)
                    .share(HotplugCli.class.getClassLoader(), shared.toArray(String[]::new)).build();
        } catch (HotplugException e) {
            err.println("hotplug: " + e.getMessage());
            return 1;
        }
        // stop: System.exit runs the shutdown hook below, which stops everything gracefully, as SIGTERM does.
        shell = new AdminShell(hotplug, () -> System.exit(0));
        try {
            server = AdminServer.open(shell, adminAddress, bindAny);
        } catch (ConsoleException e) {
            err.println("hotplug: " + e.getMessage());
            shell.close();
            hotplug.close();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable stop = () -> {
            server.close();
            shell.close();
            hotplug.close();
            stopped.countDown();
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "hotplug-shutdown"));
        hotplug.start();
        for (ModuleInfo info : hotplug.modules()) {
            out.println(info.name() + " " + info.version() + ": " + info.status()
                    + (info.lastError() == null ? "" : " (" + info.lastError() + ")"));
        }
        out.println("Hotplug runs " + hotplug.modules().size() + " module(s) from " + hotplug.modulesFolder()
                + " and watches it for jars dropped, replaced or deleted; Ctrl-C stops it gracefully");
        out.println("Admin port " + AdminServer.hostPort(server.address()) + ", token in " + server.tokenFile()
                + ": ./hotplug ctl help");
        if (console && InteractiveConsole.hasTerminal()) {
            if (InteractiveConsole.inForeground()) {
                InteractiveConsole.run(shell);
                return 0;
            }
            out.println("No console on this terminal: the process runs in the background (the admin port and"
                    + " ./hotplug ctl serve; kill -TERM " + ProcessHandle.current().pid() + " stops it gracefully)");
        }
        stopped.await();
        return 0;
    }

    /** {@code HOST:PORT} (an IPv6 host in brackets) as a resolved address. */
    static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new ConsoleException("Cannot use admin address " + hostPort + ": expected HOST:PORT", null, null);
        }
        String host = hostPort.substring(0, colon).replaceAll("^\\[|]$", "");
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConsoleException("Cannot use admin address " + hostPort + ": the port is not a number", null, e);
        }
        if (port < 0 || port > 65535) {
            throw new ConsoleException("Cannot use admin address " + hostPort + ": port out of range", null, null);
        }
        return new InetSocketAddress(host, port);
    }

    private static int usage(PrintStream err, String problem) {
        err.println("hotplug: " + problem);
        err.println(USAGE);
        return 2;
    }
}
