package dev.hotplug.framework;

import dev.hotplug.framework.fixture.Counter;
import dev.hotplug.framework.fixture.Journal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The process {@link CrashRecoveryTest} kills: runs Hotplug on a modules and a state folder and obeys one command per
 * line on standard input, answering on standard output — {@code call} ({@code COUNT <n> <version>}),
 * {@code deploy <jar>} ({@code DEPLOYED ...}), {@code info} ({@code MODULE ...} lines, then {@code END}),
 * {@code journal} ({@code JOURNAL <line>} lines, then {@code END}) and {@code exit} (graceful stop, {@code BYE}).
 * A failed command answers {@code ERROR <message>}; a reload paused by {@code -Dhotplug.pauseAt} never answers.
 */
final class CrashChild {

    private CrashChild() {
    }

    /** Arguments: the modules folder and the state folder. */
    public static void main(String[] args) throws IOException {
        PrintStream out = System.out;
        Hotplug hotplug = Hotplug.builder().modulesFolder(Path.of(args[0])).stateFolder(Path.of(args[1]))
                .share(CrashChild.class.getClassLoader(), "dev.hotplug.framework.fixture")
                .lifecycleTimeout(Duration.ofSeconds(10)).serviceWait(Duration.ofSeconds(2)).build();
        hotplug.start();
        info(hotplug, out);
        Counter counter = hotplug.service(Counter.class);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            try {
                if (line.equals("call")) {
                    long count = counter.increment();
                    out.println("COUNT " + count + " " + counter.version());
                } else if (line.startsWith("deploy ")) {
                    ModuleInfo module = hotplug.deploy(Path.of(line.substring("deploy ".length())));
                    out.println("DEPLOYED " + module.name() + " " + module.version() + " " + module.status());
                } else if (line.equals("info")) {
                    info(hotplug, out);
                } else if (line.equals("journal")) {
                    Journal.lines().forEach(l -> out.println("JOURNAL " + l));
                    out.println("END");
                } else if (line.equals("exit")) {
                    hotplug.close();
                    out.println("BYE");
                    out.flush();
                    return;
                } else {
                    out.println("ERROR unknown command " + line);
                }
            } catch (RuntimeException e) {
                // The test reads the failure from standard output; the trace goes to standard error for diagnosis.
                e.printStackTrace();
                out.println("ERROR " + e.toString().replace('\n', ' '));
            }
            out.flush();
        }
        hotplug.close();
    }

    private static void info(Hotplug hotplug, PrintStream out) {
        for (ModuleInfo module : hotplug.modules()) {
            out.println("MODULE " + module.name() + " " + module.version() + " " + module.status() + " "
                    + module.generation() + " " + (module.lastError() == null ? "-" : module.lastError().replace('\n', ' ')));
        }
        out.println("END");
        out.flush();
    }
}
