package dev.hotplug.console;

import org.apache.felix.gogo.jline.Posix;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Process;

import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * gogo.jline's Posix commands, failing the way Hotplug's own commands do. Posix reports a bad option by printing to
 * the process's error stream and setting an exit code that Gogo drops, so {@code echo -Q} or {@code list | head -n x}
 * looked like a success; here the failure is a {@link ConsoleException} the admin port and {@code ctl} report.
 */
final class PosixBuiltins extends Posix {

    /** Session variable: {@code Boolean.TRUE} when the session's output is a terminal that shows it as it comes. */
    static final String TERMINAL = "hotplug.terminal";

    private static final Pattern FOLLOW = Pattern.compile("--follow.*|-[a-zA-Z]*f[a-zA-Z]*");

    PosixBuiltins(CommandProcessor processor) {
        super(processor);
    }

    /** Gogo's entry point for every Posix command; {@code argv[0]} is the command's name. Blocks while it runs. */
    @Override
    public void _main(CommandSession session, String[] argv) {
        Process process = Process.Utils.current();
        if (argv[0].equals("tail") && !Boolean.TRUE.equals(session.get(TERMINAL))
                && Arrays.stream(argv).skip(1).anyMatch(arg -> FOLLOW.matcher(arg).matches())) {
            // The admin port answers when a command ends; one that never ends would hold its connection for good.
            throw new ConsoleException("Cannot run tail: -f never ends, and the admin port answers when a command "
                    + "has ended; follow the file from the terminal console instead", null, null);
        }
        try {
            run(session, process, argv);
        } catch (HelpException e) {
            // --help asks for the usage: it is the command's output, not a failure.
            process.out().println(e.getMessage());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt(); // Ctrl-C on the terminal: the session's thread stays told so
            }
            String cause = e.getMessage() == null ? e.toString() : e.getMessage();
            // Posix's own messages often start with the command's name, which ours already carries.
            cause = cause.startsWith(argv[0] + ": ") ? cause.substring(argv[0].length() + 2) : cause;
            throw new ConsoleException("Cannot run " + argv[0] + ": " + cause, null, e);
        }
    }
}
