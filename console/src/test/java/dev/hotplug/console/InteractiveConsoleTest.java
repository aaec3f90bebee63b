package dev.hotplug.console;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
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
}
