package dev.hotplug.nativelib;

import java.util.Locale;
import java.util.Objects;

/**
 * An operating system and CPU architecture, named the way JVM native loaders name them ({@code linux-x86_64},
 * {@code linux-aarch64}, {@code macos-aarch64}, {@code windows-x86_64}); it picks the jar folder
 * {@code native/<os>-<arch>/} and the header a library must carry. Immutable and thread-safe.
 *
 * <p>Names are normalised: {@code Mac OS X}, {@code osx} and {@code darwin} become {@code macos};
 * {@code amd64}, {@code x64} and {@code x86-64} become {@code x86_64}; {@code arm64} becomes {@code aarch64};
 * {@code i386}..{@code i686} become {@code x86}. The other architectures are {@code arm}, {@code ppc64le},
 * {@code ppc64}, {@code s390x}, {@code riscv64} and {@code loongarch64}; anything else is kept lower-cased.
 * The running platform can be overridden with the system property {@value #PROPERTY}
 * ({@code -Dhotplug.native.platform=linux-aarch64}) or per namespace with
 * {@link NativeNamespace.Builder#platform(NativePlatform)}.
 */
public final class NativePlatform {

    /** System property overriding {@link #current()}, as {@code <os>-<arch>}. */
    public static final String PROPERTY = "hotplug.native.platform";

    private final String os;
    private final String arch;

    private NativePlatform(String os, String arch) {
        this.os = os;
        this.arch = arch;
    }

    /**
     * The platform of the running JVM (from {@code os.name} and {@code os.arch}), or the one named by the
     * system property {@value #PROPERTY} when it is set.
     */
    public static NativePlatform current() {
        String override = System.getProperty(PROPERTY);
        if (override != null && !override.isBlank()) {
            return parse(override.trim());
        }
        return of(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    /** The platform for the given names, normalised ({@code "Mac OS X", "amd64"} gives {@code macos-x86_64}). */
    public static NativePlatform of(String os, String arch) {
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(arch, "arch");
        return new NativePlatform(normaliseOs(os), normaliseArch(arch));
    }

    /**
     * Parses a folder name {@code <os>-<arch>} ({@code linux-x86_64}, or an alias such as {@code osx-arm64} or
     * {@code linux-x86-64}); the operating system is the part before the first dash.
     *
     * @throws IllegalArgumentException when there is no dash
     */
    public static NativePlatform parse(String folderName) {
        int dash = folderName.indexOf('-');
        if (dash <= 0 || dash == folderName.length() - 1) {
            throw new IllegalArgumentException("Cannot parse native platform \"" + folderName
                    + "\": expected <os>-<arch>, for example linux-x86_64");
        }
        return of(folderName.substring(0, dash), folderName.substring(dash + 1));
    }

    /** The normalised operating system: {@code linux}, {@code macos}, {@code windows}, {@code freebsd}, ... */
    public String os() {
        return os;
    }

    /** The normalised architecture: {@code x86_64}, {@code aarch64}, {@code x86}, ... */
    public String arch() {
        return arch;
    }

    /** The jar folder under {@code native/} holding this platform's libraries, {@code <os>-<arch>}. */
    public String folderName() {
        return os + "-" + arch;
    }

    /**
     * The file name of library {@code name} on this platform: {@link System#mapLibraryName(String)} when this is
     * the running JVM's operating system, otherwise that system's convention ({@code libfoo.so},
     * {@code libfoo.dylib}, {@code foo.dll}).
     */
    public String mapLibraryName(String name) {
        if (os.equals(normaliseOs(System.getProperty("os.name", "")))) {
            return System.mapLibraryName(name);
        }
        switch (os) {
            case "windows":
                return name + ".dll";
            case "macos":
                return "lib" + name + ".dylib";
            default:
                return "lib" + name + ".so";
        }
    }

    /** Whether {@code fileName} looks like a shared library of this platform (by its extension). */
    boolean isLibraryFileName(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        switch (os) {
            case "windows":
                return lower.endsWith(".dll");
            case "macos":
                return lower.endsWith(".dylib") || lower.endsWith(".jnilib") || lower.endsWith(".so")
                        || lower.endsWith(".bundle");
            default:
                return lower.endsWith(".so") || lower.contains(".so.");
        }
    }

    static String normaliseOs(String value) {
        String v = value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "");
        if (v.startsWith("linux")) {
            return "linux";
        }
        if (v.startsWith("mac") || v.startsWith("osx") || v.startsWith("darwin")) {
            return "macos";
        }
        if (v.startsWith("win")) {
            return "windows";
        }
        if (v.startsWith("freebsd")) {
            return "freebsd";
        }
        if (v.startsWith("openbsd")) {
            return "openbsd";
        }
        if (v.startsWith("netbsd")) {
            return "netbsd";
        }
        if (v.startsWith("solaris") || v.startsWith("sunos")) {
            return "sunos";
        }
        if (v.startsWith("aix")) {
            return "aix";
        }
        return v.isEmpty() ? "unknown" : v;
    }

    static String normaliseArch(String value) {
        String v = value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "");
        switch (v) {
            case "x8664": case "amd64": case "x64": case "em64t": case "ia32e":
                return "x86_64";
            case "x86": case "x8632": case "i386": case "i486": case "i586": case "i686": case "ia32":
                return "x86";
            case "aarch64": case "arm64":
                return "aarch64";
            case "arm": case "arm32": case "armv7": case "armv7l": case "armhf": case "armel":
                return "arm";
            case "ppc64le": case "powerpc64le":
                return "ppc64le";
            case "ppc64": case "powerpc64":
                return "ppc64";
            case "s390x": case "s39064":
                return "s390x";
            case "riscv64":
                return "riscv64";
            case "loongarch64": case "loong64":
                return "loongarch64";
            default:
                return v.isEmpty() ? "unknown" : v;
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NativePlatform && ((NativePlatform) other).os.equals(os)
                && ((NativePlatform) other).arch.equals(arch);
    }

    @Override
    public int hashCode() {
        return folderName().hashCode();
    }

    /** The folder name, {@code <os>-<arch>}. */
    @Override
    public String toString() {
        return folderName();
    }
}
