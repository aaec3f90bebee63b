package dev.hotplug.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Versions parse strictly and order like OSGi; ranges come from Felix Utils. */
class ModuleVersionTest {

    @Test
    void parsesFullAndShortForms() {
        assertEquals(new ModuleVersion(1, 2, 3, ""), ModuleVersion.parse("1.2.3"));
        assertEquals(new ModuleVersion(1, 2, 3, "beta-1_x"), ModuleVersion.parse("1.2.3.beta-1_x"));
        assertEquals(new ModuleVersion(1, 0, 0, ""), ModuleVersion.parse("1"));
        assertEquals(new ModuleVersion(1, 2, 0, ""), ModuleVersion.parse("1.2"));
        assertEquals("1.2.3", ModuleVersion.parse("1.2.3").toString());
        assertEquals("1.2.3.q", ModuleVersion.parse("1.2.3.q").toString());
        assertEquals("1.2.0", ModuleVersion.parse("1.2").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.", ".1", "1..2", "1.2.3.", "1.2.3.q.r", "1.x", "1.2.q", "-1.0.0", "+1.0.0",
        " 1.0.0", "1.0.0.q!", "1.0.0.q q", "99999999999.0.0", "1.0.0-SNAPSHOT"})
    void refusesMalformedVersions(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModuleVersion.parse(text));
        assertTrue(e.getMessage().startsWith("invalid version \"" + text + "\""), e.getMessage());
    }

    @Test
    void ordersLikeOsgi() {
        List<ModuleVersion> sorted = new ArrayList<>();
        for (String text : List.of("1.0.0", "1.0.0.beta", "1.0.0.alpha", "0.9.9", "1.0.10", "1.0.2", "10.0.0", "2.0")) {
            sorted.add(ModuleVersion.parse(text));
        }
        Collections.sort(sorted);
        assertEquals("[0.9.9, 1.0.0, 1.0.0.alpha, 1.0.0.beta, 1.0.2, 1.0.10, 2.0.0, 10.0.0]", sorted.toString());
    }

    @Test
    void rangesIncludeWhatOsgiIncludes() {
        VersionRange halfOpen = VersionRange.parse("[1.0,2)");
        assertTrue(halfOpen.includes(ModuleVersion.parse("1.0.0")));
        assertTrue(halfOpen.includes(ModuleVersion.parse("1.99.0.zzz")));
        assertFalse(halfOpen.includes(ModuleVersion.parse("2.0.0")));
        assertFalse(halfOpen.includes(ModuleVersion.parse("0.9.0")));

        VersionRange open = VersionRange.parse("\"(1.0,2.0]\"");
        assertFalse(open.includes(ModuleVersion.parse("1.0.0")));
        assertTrue(open.includes(ModuleVersion.parse("2.0.0")));
        assertEquals("(1.0,2.0]", open.toString());

        VersionRange atLeast = VersionRange.parse("1.5");
        assertTrue(atLeast.includes(ModuleVersion.parse("99.0.0")));
        assertFalse(atLeast.includes(ModuleVersion.parse("1.4.9")));

        assertTrue(VersionRange.ANY.includes(ModuleVersion.ZERO));
        assertTrue(VersionRange.ANY.isAny());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1.0,", "[2.0,1.0)", "abc", "1.0-SNAPSHOT", "", "\"[1.0,2)", "[1.0;2.0)"})
    void refusesMalformedRanges(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VersionRange.parse(text));
        assertTrue(e.getMessage().startsWith("invalid version range \"" + text + "\""), e.getMessage());
    }
}
