package dev.hotplug.framework;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

import java.util.Locale;

/**
 * A JFR event per phase of a reload transaction (stage, quiesce, unload, load, rollback), so a recording
 * ({@code jcmd PID JFR.start}) shows where reload time goes. Its duration is the phase's; one instance per phase run.
 */
@Name("dev.hotplug.ReloadPhase")
@Label("Reload Phase")
@Category("Hotplug")
@Description("One phase of a module reload transaction")
@StackTrace(false)
final class ReloadPhaseEvent extends jdk.jfr.Event {

    @Label("Phase")
    String phase;

    @Label("Module")
    String module;

    @Label("From Version")
    String fromVersion;

    @Label("To Version")
    String toVersion;

    @Label("Generation")
    @Description("The new generation (the old one for quiesce and unload)")
    long generation;

    @Label("Modules")
    @Description("How many modules the transaction moves together (the trigger and its dependents)")
    int modules;

    @Label("Failure")
    String failure;

    /**
     * Starts timing {@code phase} of a transaction over {@code module} going from {@code fromVersion} to
     * {@code toVersion}, moving {@code modules} modules; cheap when JFR does not record it.
     */
    static ReloadPhaseEvent begin(Phase phase, String module, String fromVersion, String toVersion, int modules) {
        ReloadPhaseEvent event = new ReloadPhaseEvent();
        if (event.isEnabled()) {
            event.phase = phase.name().toLowerCase(Locale.ROOT);
            event.module = module;
            event.fromVersion = fromVersion;
            event.toVersion = toVersion;
            event.modules = modules;
            event.begin();
        }
        return event;
    }

    /** Ends the phase with its {@code generation} and {@code failure} (null when it succeeded) and commits it. */
    void end(ModuleGeneration generation, String failure) {
        if (isEnabled()) {
            this.generation = generation == null ? 0 : generation.number;
            this.failure = failure;
            end();
            commit();
        }
    }
}
