package dev.hotplug.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hotplug.api.Migrate;
import dev.hotplug.api.StateVersion;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Objects;

/**
 * The schema migration chain of one lifecycle class: its {@code @StateVersion} (1 when absent) and its static
 * {@code @Migrate(from = n)} methods turning version n into n + 1, run in order. Immutable and thread-safe; it
 * holds the lifecycle class (and so its loader), so drop it with the generation.
 */
public final class StateMigrator {

    private final String module;
    private final String moduleVersion;
    private final String className;
    private final int currentVersion;
    /** steps[n - 1] turns version n into n + 1; null where the class has no such method. */
    private final Method[] steps;

    private StateMigrator(String module, String moduleVersion, String className, int currentVersion, Method[] steps) {
        this.module = module;
        this.moduleVersion = moduleVersion;
        this.className = className;
        this.currentVersion = currentVersion;
        this.steps = steps;
    }

    /**
     * Reads the chain declared on {@code lifecycleClass} (its own methods, not inherited ones). Throws
     * {@link StateException} when {@code @StateVersion} is below 1 or a {@code @Migrate} method is not static, does
     * not take and return {@code ObjectNode}, repeats a {@code from}, or has {@code from} outside
     * 1..version - 1. {@code moduleVersion} may be {@code null}.
     */
    public static StateMigrator of(String module, String moduleVersion, Class<?> lifecycleClass) {
        Objects.requireNonNull(module, "module");
        String className = lifecycleClass.getName();
        StateVersion declared = lifecycleClass.getAnnotation(StateVersion.class);
        int current = declared == null ? 1 : declared.value();
        if (current < 1) {
            throw invalid(module, moduleVersion, "@StateVersion(" + current + ") on " + className + " must be 1 or more");
        }
        Method[] steps = new Method[current - 1];
        for (Method method : lifecycleClass.getDeclaredMethods()) {
            Migrate migrate = method.getAnnotation(Migrate.class);
            if (migrate == null) {
                continue;
            }
            String name = "@Migrate(from = " + migrate.from() + ") method " + className + "." + method.getName();
            if (!Modifier.isStatic(method.getModifiers())) {
                throw invalid(module, moduleVersion, name + " must be static");
            }
            if (method.getParameterCount() != 1 || method.getParameterTypes()[0] != ObjectNode.class
                    || method.getReturnType() != ObjectNode.class) {
                throw invalid(module, moduleVersion, name + " must take and return " + ObjectNode.class.getName()
                        + signatureHint(method));
            }
            if (migrate.from() < 1 || migrate.from() >= current) {
                throw invalid(module, moduleVersion, name + " is outside the schema: from must be 1 to "
                        + (current - 1) + " for @StateVersion(" + current + ")");
            }
            Method other = steps[migrate.from() - 1];
            if (other != null) {
                throw invalid(module, moduleVersion, name + " repeats the step of " + className + "." + other.getName());
            }
            try {
                method.setAccessible(true);
            } catch (RuntimeException e) {
                throw new StateException("Cannot read state migrations of module " + module + ": " + name
                        + " is not accessible: " + e.getMessage(), module, moduleVersion, null, e);
            }
            steps[migrate.from() - 1] = method;
        }
        return new StateMigrator(module, moduleVersion, className, current, steps);
    }

    /** The schema version the lifecycle class reads: its {@code @StateVersion}, or 1. */
    public int currentVersion() {
        return currentVersion;
    }

    /**
     * Checks, without running anything, that state saved at {@code savedVersion} can be brought to the current
     * version; throws the {@link StateException} {@link #migrate} would. For the stage check, before quiescing.
     */
    public void checkMigratable(int savedVersion) {
        if (savedVersion < 1) {
            throw cannot(savedVersion, "saved state versions start at 1", null);
        }
        if (savedVersion > currentVersion) {
            throw cannot(savedVersion, "the saved state is newer than " + className + "'s @StateVersion("
                    + currentVersion + ")", null);
        }
        for (int from = savedVersion; from < currentVersion; from++) {
            if (steps[from - 1] == null) {
                throw cannot(savedVersion, "no @Migrate(from = " + from + ") method in " + className, null);
            }
        }
    }

    /**
     * Brings {@code state}, saved at {@code savedVersion}, to the current version by running each step in order;
     * {@code state} itself is never modified (the steps work on a copy). A {@code null} or JSON-null state (no
     * state was carried) is returned as it is. Runs module code on the calling thread. Throws
     * {@link StateException} for a missing step, a newer saved version, a step that throws or returns
     * {@code null}, or a state that is not a JSON object when a step must run.
     */
    public JsonNode migrate(JsonNode state, int savedVersion) {
        checkMigratable(savedVersion);
        if (savedVersion == currentVersion || state == null || state.isNull() || state.isMissingNode()) {
            return state;
        }
        if (!state.isObject()) {
            throw cannot(savedVersion, "the saved state is a JSON " + state.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                    + ", not an object; @Migrate methods take an ObjectNode", null);
        }
        ObjectNode tree = ((ObjectNode) state).deepCopy();
        for (int from = savedVersion; from < currentVersion; from++) {
            Method step = steps[from - 1];
            String name = className + "." + step.getName() + " (@Migrate(from = " + from + "))";
            Object result;
            try {
                result = step.invoke(null, tree);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                throw cannot(savedVersion, name + " threw " + cause, cause);
            } catch (IllegalAccessException e) {
                throw cannot(savedVersion, name + " is not accessible: " + e.getMessage(), e);
            }
            if (result == null) {
                throw cannot(savedVersion, name + " returned null", null);
            }
            tree = (ObjectNode) result;
        }
        return tree;
    }

    private StateException cannot(int savedVersion, String cause, Throwable exception) {
        return new StateException("Cannot migrate state of module " + module + " from version " + savedVersion
                + " to " + currentVersion + ": " + cause, module, moduleVersion, null, exception);
    }

    private static StateException invalid(String module, String moduleVersion, String cause) {
        return new StateException("Cannot read state migrations of module " + module + ": " + cause,
                module, moduleVersion, null);
    }

    private static String signatureHint(Method method) {
        for (Class<?> type : method.getParameterTypes()) {
            if (type != ObjectNode.class && type.getName().equals(ObjectNode.class.getName())) {
                return " (its ObjectNode comes from another classloader: does the module bring its own Jackson?)";
            }
        }
        return "";
    }
}
