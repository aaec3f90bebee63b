package dev.hotplug.benchmarks;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.VerboseMode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every benchmark and harness once, briefly, in this JVM (JMH forks 0, no warm-up, one 100 ms iteration): each
 * must produce a figure, the swap pause with zero failed calls. The figures themselves mean nothing at this length.
 */
class BenchmarkSmokeTest {

    @Test
    void everyBenchmarkProducesAFigure() throws RunnerException {
        Report report = BenchMain.run(BenchMain.Profile.SMOKE, VerboseMode.SILENT);

        for (String method : new String[] {"direct1", "direct8", "hotplug1", "hotplug8", "jdkProxy1", "jdkProxy8"}) {
            assertTrue(report.stats(method).getN() > 0, method);
            assertTrue(report.stats(method).getPercentile(50) > 0, method);
        }
        for (String method : new String[] {"hotplugReload", "felixUpdateRefresh", "felixUpdate", "floor"}) {
            assertTrue(report.stats(method).getN() > 0, method + " sampled nothing");
        }
        ReloadSplit.Result split = report.split();
        assertEquals(BenchMain.Profile.SMOKE.splitReloads(), split.pauseMillis().length);
        for (int i = 0; i < split.pauseMillis().length; i++) {
            assertTrue(split.pauseMillis()[i] > 0, "every reload held calls for some time");
        }
        assertTrue(Report.max(split.pauseMillis()) <= Report.max(split.deployMillis()), "the pause is part of the deploy");
        assertEquals(BenchMain.Profile.SMOKE.splitReloads(), split.coldDeployMillis().length);
        assertTrue(split.coldDeployMillis()[0] > 0, "the cold reloads were timed");
        assertTrue(split.warmupReloads() >= split.coldDeployMillis().length, "the cold reloads are part of the warm-up");
        SwapPause.Result pause = report.pause();
        assertNull(pause.firstFailure());
        assertEquals(0, pause.failed());
        assertTrue(pause.calls() > 0);
        assertEquals(BenchMain.Profile.SMOKE.swapReloads(), pause.reloadMillis().length);
        assertEquals(BenchMain.Profile.SMOKE.swapReloads(), pause.pauseMillis().length);
        assertEquals(BenchMain.Profile.SMOKE.swapReloads(), pause.warmupPauseMillis().length, "as many warm-up reloads");
        assertTrue(pause.warmupPauseMillis()[0] > 0, "the warm-up reloads held calls too");
        assertTrue(Report.max(pause.pauseMillis()) <= Report.max(pause.reloadMillis()), "the pause is part of a reload");
        assertTrue(pause.control().count() > 0, "the callers went on without reloads for the control");
        assertEquals(BenchMain.Profile.SMOKE.detectionRounds(), report.detection().millis().length);
        assertTrue(report.detection().millis()[0] > 0);
        assertEquals(BenchMain.Profile.SMOKE.scaleModules(), report.scale().modules());
        assertTrue(report.scale().startMillis()[0] > 0);
        assertTrue(report.scale().innerMillis().length > 0);
        assertEquals(BenchMain.Profile.SMOKE.retentionReloads(), report.retention().reloads());
        assertTrue(report.retention().smallBytes() > 0, "a released generation keeps its classes at least");
        assertTrue(report.retention().largeBytes() > report.retention().smallBytes(),
                "a module with " + Retention.EXTRA_CLASSES + " more classes keeps more: " + report.retention());

        String table = report.table();
        System.out.println(table);
        assertTrue(table.contains("Hotplug / direct"), table);
    }
}
