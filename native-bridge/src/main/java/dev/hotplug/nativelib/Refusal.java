package dev.hotplug.nativelib;

import java.nio.file.Path;

/**
 * Why a library or jar entry cannot be used, without the action it interrupted; {@link NativeNamespace} words it
 * into a {@link NativeLibraryException} ("Cannot stage module ...: " + {@link #getMessage()}).
 */
final class Refusal extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path path;
    private final String entry;

    /** {@code detail} names the file and the cause: "native/linux-x86_64/libfoo.so is an ELF for aarch64". */
    Refusal(String detail, Path path, String entry, Throwable cause) {
        super(detail, cause);
        this.path = path;
        this.entry = entry;
    }

    Path path() {
        return path;
    }

    String entry() {
        return entry;
    }
}
