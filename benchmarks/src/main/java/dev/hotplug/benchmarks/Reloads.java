package dev.hotplug.benchmarks;

/** Checks shared by the reload measurements. */
final class Reloads {

    private Reloads() {
    }

    /** Returns {@code actual}, or throws when it is not the {@code expected} version: a reload that did not happen. */
    static String expect(String expected, String actual) {
        if (!expected.equals(actual)) {
            throw new IllegalStateException("Cannot measure a reload: version " + expected + " expected, " + actual
                    + " answered");
        }
        return actual;
    }
}
