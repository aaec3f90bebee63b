package dev.hotplug.console;

import org.apache.felix.service.command.CommandSession;
import org.jline.reader.Candidate;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.Console;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The console on the process's own terminal (JLine): history kept in {@code <state>/console.history}, completion of
 * command and module names. Runs on the calling thread until {@code exit}, Ctrl-D or Ctrl-C.
 */
final class InteractiveConsole {

    private InteractiveConsole() {
    }

    /**
     * Whether this process is in its terminal's foreground process group, read from {@code /proc/self/stat}; true
     * where that file does not exist. A process started with {@code &} is not, and reading the terminal would stop it.
     */
    static boolean inForeground() {
        Path stat = Path.of("/proc/self/stat");
        if (!Files.isReadable(stat)) {
            return true;
        }
        try {
            return inForeground(Files.readString(stat, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new ConsoleException("Cannot tell whether this process runs in the foreground: " + e, null, e);
        }
    }

    /** Whether a {@code /proc/PID/stat} line says its process group is its terminal's foreground group. */
    static boolean inForeground(String stat) {
        // The command name, in parentheses, may hold spaces and parentheses: the fields we need follow its last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).strip().split(" ");
        return fields[2].equals(fields[5]);
    }

    /** Whether this process has an interactive terminal (on JDK 22+, a {@link Console} exists without one). */
    static boolean hasTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            throw new ConsoleException("Cannot tell whether this process has a terminal: " + e, null, e);
        }
    }

    /** Reads and runs command lines on the process's terminal until the operator leaves; blocks. */
    static void run(AdminShell shell) throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).name("hotplug").build()) {
            run(shell, terminal);
        }
    }

    /**
     * Reads and runs command lines on {@code terminal} until the operator leaves; blocks. Meanwhile the process's
     * error stream, where log lines go, is printed above the prompt, so a log line never splits the line being typed.
     */
    static void run(AdminShell shell, Terminal terminal) {
        LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("hotplug")
                .variable(LineReader.HISTORY_FILE, shell.hotplug().stateFolder().resolve("console.history"))
                .completer((r, line, candidates) -> {
                    if (line.wordIndex() == 0) {
                        shell.commandNames().forEach(n -> candidates.add(new Candidate(n)));
                    } else {
                        shell.hotplug().modules().forEach(m -> candidates.add(new Candidate(m.name())));
                    }
                })
                .build();
        PrintStream out = new PrintStream(terminal.output(), true, StandardCharsets.UTF_8);
        CommandSession session = shell.open("console", terminal.input(), out, true);
        PrintStream processErr = System.err;
        System.setErr(new PrintStream(new LinesAbove(reader), true, StandardCharsets.UTF_8));
        out.println("Hotplug console: help lists the commands; exit, Ctrl-D or Ctrl-C stops the process gracefully.");
        try {
            while (true) {
                String line;
                try {
                    line = reader.readLine("hotplug> ").strip();
                } catch (UserInterruptException | EndOfFileException e) {
                    return;
                }
                if (line.equals("exit") || line.equals("quit")) {
                    return;
                }
                if (line.isEmpty()) {
                    continue;
                }
                String error = shell.execute(session, line, out);
                if (error != null) {
                    reader.printAbove(error);
                }
                if (shell.afterAnswer()) {
                    return;
                }
            }
        } finally {
            System.setErr(processErr);
            shell.close(session);
            saveHistory(reader);
        }
    }

    private static void saveHistory(LineReader reader) {
        try {
            reader.getHistory().save();
        } catch (IOException e) {
            System.err.println("hotplug: Cannot save the console history: " + e.getMessage());
        }
    }

    /** Whole lines written here are printed above the prompt; thread-safe. */
    private static final class LinesAbove extends OutputStream {
        private final LineReader reader;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LinesAbove(LineReader reader) {
            this.reader = reader;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                reader.printAbove(line.toString(StandardCharsets.UTF_8).stripTrailing());
                line.reset();
            } else {
                line.write(b);
            }
        }
    }
}
