package dev.hotplug.console;

import org.apache.felix.gogo.jline.Posix;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Process;

/**
 * gogo.jline's Posix commands, failing the way Hotplug's own commands do. Posix reports a bad option by printing to
 * the process's error stream and setting an exit code that Gogo drops, so {@code echo -Q} or {@code list | head -n x}
 * looked like a success; here the failure is a {@link ConsoleException} the admin port and {@code ctl} report.
 */
final class PosixBuiltins extends Posix {

    PosixBuiltins(CommandProcessor processor) {
        super(processor);
    }

    /** Gogo's entry point for every Posix command; {@code argv[0]} is the command's name. Blocks while it runs. */
    @Override
    public void _main(CommandSession session, String[] argv) {
        Process process = Process.Utils.current();
        try {
            run(session, process, argv);
        } catch (HelpException e) {
            // --help asks for the usage: it is the command's output, not a failure.
            process.out().println(e.getMessage());
        } catch (Exception e) {
            String cause = e.getMessage() == null ? e.toString() : e.getMessage();
            // Posix's own messages often start with the command's name, which ours already carries.
            cause = cause.startsWith(argv[0] + ": ") ? cause.substring(argv[0].length() + 2) : cause;
            throw new ConsoleException("Cannot run " + argv[0] + ": " + cause, null, e);
        }
    }
}
