package dev.hotplug.console;

import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whether the console may read the terminal: only in the terminal's foreground process group. */
class InteractiveConsoleTest {

    @Test
    void aProcessGroupOtherThanTheTerminalsIsInTheBackground() {
        // pid (comm) state ppid pgrp session tty_nr tpgid ...
        assertTrue(InteractiveConsole.inForeground("4242 (java) S 4200 4242 4100 34816 4242 4194304 1 0"));
        assertFalse(InteractiveConsole.inForeground("4242 (java) S 4200 4242 4100 34816 4100 4194304 1 0"),
                "started with &: the shell's group holds the terminal");
        assertFalse(InteractiveConsole.inForeground("4242 (my (odd) name) S 4200 4242 4100 0 -1 4194304 1 0"),
                "no terminal at all; the name's parentheses and spaces do not shift the fields");
    }

    @TempDir
    Path dir;

    @Test
    void logLinesWrittenWhileTheOperatorTypesArePrintedAboveThePrompt() throws Exception {
        PipedOutputStream keys = new PipedOutputStream();
        PipedInputStream keyboard = new PipedInputStream(keys);
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        try (Fixture fixture = new Fixture(dir);
             Terminal terminal = TerminalBuilder.builder().system(false).streams(keyboard, screen).type("dumb")
                     .build()) {
            PrintStream processErr = System.err;
            Thread console = new Thread(() -> InteractiveConsole.run(fixture.shell, terminal), "console-under-test");
            console.start();
            awaitScreen(screen, "hotplug> ");
            keys.write("li".getBytes(StandardCharsets.UTF_8));
            keys.flush();

            System.err.println("12:00:00.000 INFO greeter - a log line while the operator types");

            awaitScreen(screen, "a log line while the operator types");
            keys.write("st\n".getBytes(StandardCharsets.UTF_8));
            keys.flush();
            // "li" typed before the log line and "st" after it make one command line: the list runs.
            String shown = awaitScreen(screen, "greeter  1.0.0");
            assertTrue(shown.matches("(?s).*[\\r\\n]12:00:00\\.000 INFO greeter - a log line while the operator types"
                    + "\\r?\\nhotplug> .*"), "at the start of a line, the prompt again below it: " + shown);
            keys.write("exit\n".getBytes(StandardCharsets.UTF_8));
            keys.flush();
            console.join(10_000);
            assertFalse(console.isAlive(), "exit ends the console");
            assertSame(processErr, System.err, "the process's error stream is given back");
        }
    }

    private static String awaitScreen(ByteArrayOutputStream screen, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            String shown;
            synchronized (screen) {
                shown = screen.toString(StandardCharsets.UTF_8);
            }
            if (shown.contains(text)) {
                return shown;
            }
            assertTrue(System.nanoTime() < deadline, "the screen never showed " + text + ": " + shown.replace("\r", "<CR>"));
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // polls the screen; nothing to be woken by
        }
    }
}
