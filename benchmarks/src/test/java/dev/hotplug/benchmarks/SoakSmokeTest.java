package dev.hotplug.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The soak, short: 50 reloads (every tenth broken) of the JNI module with a count under 4 calling threads, baseline
 * after 10. Every check of the full soak must pass.
 */
class SoakSmokeTest {

    @Test
    void fiftyReloadsLeaveOnlyTheServingGeneration() {
        SoakReport report = Soak.run(new Soak.Settings(50, 4, 10, 10));
        System.out.println(report.text());

        assertEquals(List.of(), report.failures(), report.text());
        assertEquals(45, report.swapped());
        assertEquals(5, report.rolledBack());
        assertTrue(report.calls() > 0, "no call returned");
        assertEquals(report.calls(), report.count());
        assertEquals(51, report.loads());
        assertEquals("1.0.49", report.liveVersion());
        assertEquals("1.0.48", report.previousVersion());
        assertNotNull(report.base());
        assertTrue(report.checks().stream().noneMatch(l -> l.startsWith("FAIL")), report.text());
    }
}
