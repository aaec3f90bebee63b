package dev.hotplug.console;

import dev.hotplug.framework.Hotplug;
import dev.hotplug.framework.HotplugException;
import org.apache.felix.gogo.runtime.CommandNotFoundException;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Felix Gogo embedded without an OSGi framework: one command processor holding the {@code hotplug} commands and a few
 * gogo.jline builtins, handing out one session per console or connection. Thread-safe; sessions are not.
 */
final class AdminShell implements AutoCloseable {

    /** gogo.jline Posix commands offered: enough for pipes such as {@code list | grep counter}. */
    static final List<String> BUILTINS = List.of("echo", "grep", "head", "tail", "wc", "sort");

    /**
     * The session variable where Gogo keeps the failures of a pipeline's commands before its last (as suppressed
     * exceptions of one holder); only the last command's failure is thrown from {@code execute}.
     */
    private static final String PIPE_EXCEPTION = "pipe-exception";

    /** With a parseable but empty colour for matches, gogo.jline's grep writes no ANSI codes. */
    private static final String NO_GREP_COLORS = "mt=";

    private final ThreadIOImpl threadIo = new ThreadIOImpl();
    /** The process's own error stream: log lines written while a command runs go there, not into its output. */
    private final PrintStream log;
    private final CommandProcessorImpl processor;
    private final Map<CommandSession, String> peers = new ConcurrentHashMap<>();
    private final AuditLog audit;
    private final Hotplug hotplug;

    /** What {@code stop} runs, on a thread of its own, once the command's answer is out. */
    private final Runnable stopProcess;
    private final AtomicBoolean stopAsked = new AtomicBoolean();

    /** A shell whose {@code stop} command runs {@code stopProcess} (a graceful stop of the process) when asked. */
    AdminShell(Hotplug hotplug, Runnable stopProcess) {
        this.hotplug = hotplug;
        this.stopProcess = stopProcess;
        this.audit = new AuditLog(hotplug.stateFolder().resolve("audit.log"));
        this.log = System.err;
        threadIo.start();
        processor = new CommandProcessorImpl(threadIo);
        processor.addCommand(HotplugCommands.SCOPE, new HotplugCommands(hotplug, audit,
                session -> peers.getOrDefault(session, "unknown"), () -> stopAsked.set(true)));
        PosixBuiltins posix = new PosixBuiltins(processor);
        for (String name : BUILTINS) {
            processor.addCommand("posix", posix, name);
        }
    }

    Hotplug hotplug() {
        return hotplug;
    }

    AuditLog audit() {
        return audit;
    }

    /** Command names users type (unscoped and scoped), for completion. */
    List<String> commandNames() {
        List<String> names = new ArrayList<>();
        for (String c : HotplugCommands.commands().keySet()) {
            names.add(c);
            names.add(HotplugCommands.SCOPE + ":" + c);
        }
        names.addAll(BUILTINS);
        return names;
    }

    /**
     * A session whose commands read {@code in} and write {@code out}; {@code peer} ("address:port" or "console") is
     * what the audit log records. Without a {@code terminal}, output carries no ANSI colour.
     */
    CommandSession open(String peer, InputStream in, PrintStream out, boolean terminal) {
        CommandSession session = processor.createSession(in, out, log);
        if (!terminal) {
            session.put("GREP_COLORS", NO_GREP_COLORS);
        }
        session.put(PosixBuiltins.TERMINAL, terminal);
        peers.put(session, peer);
        return session;
    }

    /**
     * Runs one command line in {@code session}, its output (and its result, formatted) written to {@code out}.
     * Its error stream (and so log lines written meanwhile) goes to the process's own. Returns {@code null} on
     * success, else the error as one line: that of the last command of a pipeline, else of the first that failed. Blocks while the command runs.
     */
    String execute(CommandSession session, String line, PrintStream out) {
        try {
            session.put(PIPE_EXCEPTION, null);
            Object result = session.execute(line);
            if (result != null) {
                CharSequence text = session.format(result, Converter.INSPECT);
                out.print(text);
                if (text.length() > 0 && text.charAt(text.length() - 1) != '\n') {
                    out.println();
                }
            }
            out.flush();
            return earlierPipeFailure(session);
        } catch (Exception e) {
            out.flush();
            return describe(e);
        }
    }

    /** The first failure of a pipeline command before the last, as one line; {@code null} when none failed. */
    private static String earlierPipeFailure(CommandSession session) {
        if (session.get(PIPE_EXCEPTION) instanceof Exception holder && holder.getSuppressed().length > 0) {
            return describe(holder.getSuppressed()[0]);
        }
        return null;
    }

    /**
     * Called by each console once a command's answer is written: when the command was {@code stop}, starts the
     * process's graceful stop on a thread of its own and returns true, and the console should end its session.
     */
    boolean afterAnswer() {
        if (!stopAsked.compareAndSet(true, false)) {
            return false;
        }
        Thread stopper = new Thread(stopProcess, "hotplug-stop");
        stopper.start();
        return true;
    }

    void close(CommandSession session) {
        peers.remove(session);
        session.close();
    }

    @Override
    public void close() {
        peers.keySet().forEach(CommandSession::close);
        peers.clear();
        threadIo.stop();
    }

    /** One line for a failed command line: our messages as they are, Gogo's argument mismatches as a usage line. */
    static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConsoleException || t instanceof HotplugException) {
                return oneLine(t.getMessage());
            }
        }
        if (e instanceof CommandNotFoundException missing) {
            return "Cannot run " + missing.getCommand() + ": no such command; help lists them";
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof IllegalArgumentException && message.startsWith("Cannot coerce ")) {
            String command = message.substring("Cannot coerce ".length()).replaceFirst("\\(.*", "")
                    .replaceFirst("^" + HotplugCommands.SCOPE + ":", "");
            String usage = HotplugCommands.usages().get(command);
            if (usage != null) {
                return "Cannot run " + command + ": wrong arguments; usage: " + usage;
            }
        }
        return oneLine(message);
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
