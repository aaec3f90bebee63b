package dev.hotplug.nativelib;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PlatformTest {

    @Test
    void namesAreNormalisedLikeOtherNativeLoaders() {
        assertEquals("linux-x86_64", NativePlatform.of("Linux", "amd64").folderName());
        assertEquals("linux-aarch64", NativePlatform.of("Linux", "aarch64").folderName());
        assertEquals("macos-aarch64", NativePlatform.of("Mac OS X", "arm64").folderName());
        assertEquals("macos-x86_64", NativePlatform.of("Darwin", "x86_64").folderName());
        assertEquals("windows-x86_64", NativePlatform.of("Windows 11", "AMD64").folderName());
        assertEquals("windows-x86", NativePlatform.of("Windows 10", "x86").folderName());
        assertEquals("linux-x86", NativePlatform.of("Linux", "i686").folderName());
        assertEquals("linux-ppc64le", NativePlatform.of("Linux", "ppc64le").folderName());
        assertEquals("linux-s390x", NativePlatform.of("Linux", "s390x").folderName());
        assertEquals("freebsd-x86_64", NativePlatform.of("FreeBSD", "amd64").folderName());
        assertEquals(NativePlatform.of("linux", "x86_64"), NativePlatform.parse("linux-x86-64"));
        assertEquals(NativePlatform.of("macos", "aarch64"), NativePlatform.parse("osx-arm64"));
        assertThrows(IllegalArgumentException.class, () -> NativePlatform.parse("linux"));
    }

    @Test
    void currentFollowsTheJvmOrTheOverride() {
        assertEquals(NativePlatform.of(System.getProperty("os.name"), System.getProperty("os.arch")),
                NativePlatform.current());
        System.setProperty(NativePlatform.PROPERTY, "osx-arm64");
        try {
            assertEquals("macos-aarch64", NativePlatform.current().folderName());
        } finally {
            System.clearProperty(NativePlatform.PROPERTY);
        }
    }

    @Test
    void libraryFileNamesFollowTheTargetSystem() {
        assertEquals(System.mapLibraryName("foo"), NativePlatform.current().mapLibraryName("foo"));
        assertEquals("foo.dll", NativePlatform.of("windows", "x86_64").mapLibraryName("foo"));
        assertEquals("libfoo.dylib", NativePlatform.of("macos", "aarch64").mapLibraryName("foo"));
    }
}
