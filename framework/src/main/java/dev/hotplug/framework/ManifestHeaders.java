package dev.hotplug.framework;

import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import org.apache.felix.utils.manifest.Clause;
import org.apache.felix.utils.manifest.Parser;

/**
 * The main manifest headers of one module jar, parsed and checked: Hotplug's own, or their OSGi fallbacks, with
 * clauses in OSGi syntax (Felix's parser). Each getter refuses what a module jar must not say through the
 * {@link Refusal} it was given, so messages name the jar and, once known, the module. Not thread-safe; one per read.
 */
final class ManifestHeaders {

    static final String EXPORT_PACKAGE = "Export-Package";
    private static final String MODULE = "Hotplug-Module";
    private static final String VERSION = "Hotplug-Version";
    private static final String ACTIVATOR = "Hotplug-Activator";
    private static final String CLASS_PATH = "Hotplug-ClassPath";
    private static final String IMPORT_PACKAGE = "Import-Package";
    private static final String BUNDLE_SYMBOLIC_NAME = "Bundle-SymbolicName";
    private static final String BUNDLE_VERSION = "Bundle-Version";
    private static final String BUNDLE_CLASS_PATH = "Bundle-ClassPath";

    /** Builds the exception that refuses the jar for {@code cause}. */
    interface Refusal {
        InvalidModuleException refuse(String cause, Throwable thrown);
    }

    private final Attributes main;
    private final Refusal refusal;

    ManifestHeaders(Attributes main, Refusal refusal) {
        this.main = main;
        this.refusal = refusal;
    }

    /** The module's name, from {@code Hotplug-Module} or else the single name of {@code Bundle-SymbolicName}. */
    String name() {
        String name = blankToNull(main.getValue(MODULE));
        String header = MODULE;
        if (name == null) {
            String symbolic = blankToNull(main.getValue(BUNDLE_SYMBOLIC_NAME));
            if (symbolic == null) {
                throw refuse("no " + MODULE + " or " + BUNDLE_SYMBOLIC_NAME + " header", null);
            }
            header = BUNDLE_SYMBOLIC_NAME;
            Clause[] clauses = parse(header, symbolic);
            if (clauses.length != 1) {
                throw refuse(header + ": expected one name, found \"" + symbolic + "\"", null);
            }
            name = clauses[0].getName();
        }
        name = name.strip();
        if (!ModuleSpec.NAME.matcher(name).matches()) {
            throw refuse(header + ": invalid module name \"" + name + "\" (expected " + ModuleSpec.NAME.pattern()
                    + ")", null);
        }
        return name;
    }

    /** The module's version; a jar without one is refused rather than given 0.0.0. */
    ModuleVersion version() {
        String header = chosen(VERSION, BUNDLE_VERSION);
        String text = blankToNull(main.getValue(header));
        if (text == null) {
            throw refuse("no " + VERSION + " or " + BUNDLE_VERSION + " header", null);
        }
        try {
            return ModuleVersion.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw refuse(header + ": " + e.getMessage(), e);
        }
    }

    /** The lifecycle class named by {@code Hotplug-Activator}, or {@code null} when the jar names none. */
    String activator() {
        String activator = blankToNull(main.getValue(ACTIVATOR));
        if (activator != null && !ModuleSpec.QUALIFIED_NAME.matcher(activator).matches()) {
            throw refuse(ACTIVATOR + ": \"" + activator + "\" is not a class name", null);
        }
        return activator;
    }

    /** The header the class path comes from, for messages: Hotplug's unless only the OSGi one is set. */
    String classPathHeader() {
        return chosen(CLASS_PATH, BUNDLE_CLASS_PATH);
    }

    /** The class path entries, {@code "."} for the jar's root; just the root when the header is absent. */
    List<String> classPath() {
        String header = classPathHeader();
        String text = blankToNull(main.getValue(header));
        if (text == null) {
            return List.of(".");
        }
        List<String> entries = new ArrayList<>();
        for (Clause clause : parse(header, text)) {
            String entry = clause.getName().strip();
            String problem = ModuleSpec.classPathProblem(entry);
            if (problem != null) {
                throw refuse(header + ": entry \"" + entry + "\" " + problem, null);
            }
            entries.add(entry.equals("./") ? "." : entry);
        }
        return entries;
    }

    /** The packages of {@code Export-Package}, each at its {@code version} attribute or 0.0.0. */
    List<PackageExport> exports() {
        List<PackageExport> exports = new ArrayList<>();
        for (Clause clause : clauses(EXPORT_PACKAGE)) {
            String packageName = checkPackage(EXPORT_PACKAGE, clause.getName());
            String versionText = clause.getAttribute("version");
            ModuleVersion exported = ModuleVersion.ZERO;
            if (versionText != null) {
                try {
                    exported = ModuleVersion.parse(unquote(versionText));
                } catch (IllegalArgumentException e) {
                    throw refuse(EXPORT_PACKAGE + ": " + packageName + ": " + e.getMessage(), e);
                }
            }
            exports.add(new PackageExport(packageName, exported));
        }
        return exports;
    }

    /** The packages of {@code Import-Package}, with their version ranges and {@code resolution:=optional}. */
    List<PackageImport> imports() {
        List<PackageImport> imports = new ArrayList<>();
        for (Clause clause : clauses(IMPORT_PACKAGE)) {
            String packageName = checkPackage(IMPORT_PACKAGE, clause.getName());
            if (packageName.startsWith("java.")) {
                throw refuse(IMPORT_PACKAGE + ": " + packageName + " comes from the JDK and cannot be imported", null);
            }
            String rangeText = clause.getAttribute("version");
            VersionRange range = VersionRange.ANY;
            if (rangeText != null) {
                try {
                    range = VersionRange.parse(rangeText);
                } catch (IllegalArgumentException e) {
                    throw refuse(IMPORT_PACKAGE + ": " + packageName + ": " + e.getMessage(), e);
                }
            }
            String resolution = clause.getDirective("resolution");
            if (resolution != null && !resolution.equals("optional") && !resolution.equals("mandatory")) {
                throw refuse(IMPORT_PACKAGE + ": " + packageName + ": unknown resolution:=" + resolution
                        + " (expected optional or mandatory)", null);
            }
            imports.add(new PackageImport(packageName, range, "optional".equals(resolution)));
        }
        return imports;
    }

    private String checkPackage(String header, String name) {
        String packageName = name.strip();
        if (!ModuleSpec.QUALIFIED_NAME.matcher(packageName).matches()) {
            throw refuse(header + ": \"" + packageName + "\" is not a package name", null);
        }
        return packageName;
    }

    /** The clauses of {@code header}; none when it is absent or blank. */
    private Clause[] clauses(String header) {
        String text = blankToNull(main.getValue(header));
        return text == null ? new Clause[0] : parse(header, text);
    }

    private Clause[] parse(String header, String text) {
        try {
            return Parser.parseHeader(text);
        } catch (IllegalArgumentException e) {
            throw refuse(header + ": cannot parse \"" + text + "\" (" + e.getMessage() + ")", e);
        }
    }

    /** {@code name}, unless it is blank and {@code fallback} is set. */
    private String chosen(String name, String fallback) {
        return blankToNull(main.getValue(name)) != null || blankToNull(main.getValue(fallback)) == null ? name : fallback;
    }

    private InvalidModuleException refuse(String cause, Throwable thrown) {
        return refusal.refuse(cause, thrown);
    }

    private static String unquote(String text) {
        String bare = text.strip();
        return bare.length() >= 2 && bare.startsWith("\"") && bare.endsWith("\"")
                ? bare.substring(1, bare.length() - 1).strip() : bare;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
