package dev.hotplug.framework;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code ./hotplug run} command line: starts the framework on a modules folder and keeps it running until the
 * process is asked to stop ({@code SIGTERM}, Ctrl-C), when it stops gracefully: every module unloads, its state is
 * written, its {@code @Shutdown} runs.
 */
public final class HotplugMain {

    private HotplugMain() {
    }

    /** Entry point; exits with status 2 on a usage error. */
    public static void main(String[] args) throws InterruptedException {
        PrintStream err = System.err;
        List<String> rest = new ArrayList<>(List.of(args));
        if (rest.isEmpty() || !rest.get(0).equals("run")) {
            usage(err, rest.isEmpty() ? "no command" : "unknown command " + rest.get(0));
            return;
        }
        rest.remove(0);
        Path modules = Path.of("modules");
        Path state = Path.of(".hotplug", "state");
        List<String> shared = new ArrayList<>();
        for (int i = 0; i < rest.size(); i++) {
            String option = rest.get(i);
            switch (option) {
                case "--modules" -> modules = Path.of(value(rest, ++i, option, err));
                case "--state" -> state = Path.of(value(rest, ++i, option, err));
                case "--share" -> shared.add(value(rest, ++i, option, err));
                case "--admin" -> System.out.println("admin port " + value(rest, ++i, option, err)
                        + ": the admin console is not built yet (issue #7); ignoring");
                case "--no-console" -> { }
                default -> {
                    usage(err, "unknown option " + option);
                    return;
                }
            }
        }
        Hotplug hotplug = Hotplug.builder().modulesFolder(modules).stateFolder(state).watch(true)
                .share(HotplugMain.class.getClassLoader(), shared.toArray(String[]::new)).build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            hotplug.close();
            stopped.countDown();
        }, "hotplug-shutdown"));
        hotplug.start();
        for (ModuleInfo info : hotplug.modules()) {
            System.out.println(info.name() + " " + info.version() + ": " + info.status()
                    + (info.lastError() == null ? "" : " (" + info.lastError() + ")"));
        }
        System.out.println("Hotplug runs " + hotplug.modules().size() + " module(s) from " + hotplug.modulesFolder()
                + " and watches it for jars dropped, replaced or deleted; Ctrl-C stops it gracefully");
        stopped.await();
    }

    private static String value(List<String> args, int index, String option, PrintStream err) {
        if (index >= args.size()) {
            usage(err, option + " needs a value");
        }
        return args.get(index);
    }

    private static void usage(PrintStream err, String problem) {
        err.println("hotplug: " + problem);
        err.println("usage: hotplug run [--modules DIR] [--state DIR] [--share PKG]... [--admin HOST:PORT] [--no-console]");
        System.exit(2);
    }
}
