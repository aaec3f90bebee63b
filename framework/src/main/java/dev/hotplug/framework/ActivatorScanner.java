package dev.hotplug.framework;

import dev.hotplug.api.HotplugModule;
import dev.hotplug.api.Load;
import dev.hotplug.api.LoadReason;
import dev.hotplug.api.Migrate;
import dev.hotplug.api.ModuleContext;
import dev.hotplug.api.Shutdown;
import dev.hotplug.api.Startup;
import dev.hotplug.api.State;
import dev.hotplug.api.StateVersion;
import dev.hotplug.api.Unload;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Finds a module's lifecycle class and checks its lifecycle methods by reading class files with ASM, never by
 * loading them: no static initializer of the module runs. Feed every class file of the module's class path to
 * {@link #accept}, then call {@link #finish()}. Not thread-safe; one scanner per jar.
 *
 * <p>Only methods and fields declared by the lifecycle class itself count (not inherited ones); synthetic and
 * bridge methods are ignored. When {@code Hotplug-Activator} names a class, {@code @HotplugModule} on other
 * classes is not looked at.
 */
final class ActivatorScanner {

    /** The highest class file major version the running JVM defines classes of (Java 17 reads 61). */
    static final int MAX_CLASS_VERSION = Runtime.version().feature() + 44;

    static final String OBJECT_NODE = "com/fasterxml/jackson/databind/node/ObjectNode";
    static final String MIGRATE_DESCRIPTOR = "(L" + OBJECT_NODE + ";)L" + OBJECT_NODE + ";";

    private static final String HOTPLUG_MODULE = Type.getDescriptor(HotplugModule.class);
    private static final String STATE_VERSION = Type.getDescriptor(StateVersion.class);
    private static final String STATE = Type.getDescriptor(State.class);
    private static final String MIGRATE = Type.getDescriptor(Migrate.class);
    private static final String CONTEXT = Type.getDescriptor(ModuleContext.class);
    private static final String REASON = Type.getDescriptor(LoadReason.class);
    private static final Map<String, LifecyclePhase> PHASES = Map.of(
            Type.getDescriptor(Startup.class), LifecyclePhase.STARTUP,
            Type.getDescriptor(Load.class), LifecyclePhase.LOAD,
            Type.getDescriptor(Unload.class), LifecyclePhase.UNLOAD,
            Type.getDescriptor(Shutdown.class), LifecyclePhase.SHUTDOWN);
    private static final int SKIP_ALL = ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES;

    /** What the scan found in the lifecycle class. */
    record Result(String activatorClass, boolean reloadable, Map<LifecyclePhase, LifecycleMethod> lifecycle,
                  List<String> stateFields, int stateVersion, Set<Integer> migrationSteps, int classFileVersion) {
    }

    private final Path jar;
    private final String module;
    private final String version;
    private final String activatorHeader;
    private final Map<String, byte[]> candidates = new TreeMap<>();
    private int classFileVersion;

    /**
     * A scanner for the module {@code module} at {@code version} read from {@code jar}; {@code activatorHeader}
     * is the {@code Hotplug-Activator} value (binary name) or {@code null} to look for {@code @HotplugModule}.
     */
    ActivatorScanner(Path jar, String module, String version, String activatorHeader) {
        this.jar = jar;
        this.module = module;
        this.version = version;
        this.activatorHeader = activatorHeader;
    }

    /**
     * Checks one class file of the module's class path: that it is a class file the running JVM can define,
     * and whether it is the lifecycle class. {@code className} is its binary name (dots), from its entry path.
     *
     * @throws InvalidModuleException when the bytes are not a class file or are newer than this JVM reads
     */
    void accept(String className, byte[] bytes) {
        if (bytes.length < 10 || (bytes[0] & 0xFF) != 0xCA || (bytes[1] & 0xFF) != 0xFE
                || (bytes[2] & 0xFF) != 0xBA || (bytes[3] & 0xFF) != 0xBE) {
            throw refuse("class " + className + " is not a class file (bad magic number)");
        }
        int major = ((bytes[6] & 0xFF) << 8) | (bytes[7] & 0xFF);
        if (major > MAX_CLASS_VERSION) {
            throw refuse("class " + className + " has class file version " + major + " (Java " + (major - 44)
                    + "); this JVM (Java " + Runtime.version().feature() + ") reads up to " + MAX_CLASS_VERSION);
        }
        classFileVersion = Math.max(classFileVersion, major);
        if (activatorHeader != null) {
            if (activatorHeader.equals(className)) {
                candidates.putIfAbsent(className, bytes);
            }
            return;
        }
        boolean[] annotated = new boolean[1];
        parse(className, bytes, new ClassVisitor(Opcodes.ASM9) {
            @Override
            public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
                annotated[0] |= HOTPLUG_MODULE.equals(descriptor);
                return null;
            }
        });
        if (annotated[0]) {
            candidates.putIfAbsent(className, bytes);
        }
    }

    /**
     * Picks the lifecycle class and reads its lifecycle methods, state fields and state schema.
     *
     * @throws InvalidModuleException naming the class or methods when there is no lifecycle class, more than
     *                                one, or a lifecycle method of the wrong shape
     */
    Result finish() {
        if (activatorHeader != null && candidates.isEmpty()) {
            throw refuse("Hotplug-Activator class " + activatorHeader + " is not in the jar");
        }
        if (candidates.isEmpty()) {
            throw refuse("no Hotplug-Activator header and no @HotplugModule class");
        }
        if (candidates.size() > 1) {
            throw refuse(candidates.size() + " classes are annotated @HotplugModule: "
                    + String.join(" and ", candidates.keySet()) + " (keep one, or name one in Hotplug-Activator)");
        }
        Map.Entry<String, byte[]> chosen = candidates.entrySet().iterator().next();
        String className = chosen.getKey();
        ClassInfo info = new ClassInfo();
        parse(className, chosen.getValue(), info);
        if ((info.access & (Opcodes.ACC_INTERFACE | Opcodes.ACC_ANNOTATION)) != 0) {
            throw refuse("lifecycle class " + className + " is an interface, not a class");
        }
        if ((info.access & Opcodes.ACC_ABSTRACT) != 0) {
            throw refuse("lifecycle class " + className + " is abstract");
        }
        if ((info.access & Opcodes.ACC_ENUM) != 0) {
            throw refuse("lifecycle class " + className + " is an enum");
        }
        if (!info.noArgConstructor) {
            throw refuse("lifecycle class " + className + " has no constructor without parameters");
        }
        Map<LifecyclePhase, LifecycleMethod> lifecycle = new EnumMap<>(LifecyclePhase.class);
        Map<LifecyclePhase, MethodInfo> declaredBy = new EnumMap<>(LifecyclePhase.class);
        Map<Integer, MethodInfo> migrations = new TreeMap<>();
        for (MethodInfo method : info.methods) {
            for (Map.Entry<String, Map<String, Object>> annotation : method.annotations.entrySet()) {
                LifecyclePhase phase = PHASES.get(annotation.getKey());
                if (phase != null) {
                    MethodInfo earlier = declaredBy.putIfAbsent(phase, method);
                    if (earlier != null) {
                        throw refuse("lifecycle class " + className + " has two " + annotationName(phase)
                                + " methods: " + earlier.readable() + " and " + method.readable());
                    }
                    lifecycle.put(phase, check(className, phase, method, annotation.getValue()));
                } else if (MIGRATE.equals(annotation.getKey())) {
                    int from = checkMigration(className, method, annotation.getValue());
                    MethodInfo earlier = migrations.putIfAbsent(from, method);
                    if (earlier != null) {
                        throw refuse("lifecycle class " + className + " has two @Migrate(from = " + from
                                + ") methods: " + earlier.readable() + " and " + method.readable());
                    }
                }
            }
        }
        for (Map.Entry<String, Boolean> field : info.stateFields.entrySet()) {
            if (field.getValue()) {
                throw refuse("@State field " + className + "." + field.getKey() + " must not be static");
            }
        }
        if (info.stateVersion < 1) {
            throw refuse("@StateVersion(" + info.stateVersion + ") on " + className + " must be 1 or more");
        }
        for (int from : migrations.keySet()) {
            if (from < 1 || from >= info.stateVersion) {
                throw refuse("@Migrate(from = " + from + ") method " + className + "."
                        + migrations.get(from).readable() + " is outside 1.." + (info.stateVersion - 1)
                        + " for @StateVersion(" + info.stateVersion + ")");
            }
        }
        return new Result(className, info.reloadable, lifecycle, List.copyOf(info.stateFields.keySet()),
                info.stateVersion, new TreeSet<>(migrations.keySet()), classFileVersion);
    }

    private LifecycleMethod check(String className, LifecyclePhase phase, MethodInfo method, Map<String, Object> values) {
        String where = annotationName(phase) + " method " + className + "." + method.readable();
        if ((method.access & Opcodes.ACC_STATIC) != 0) {
            throw refuse(where + " must not be static");
        }
        if ((method.access & Opcodes.ACC_ABSTRACT) != 0) {
            throw refuse(where + " must not be abstract");
        }
        Type returnType = Type.getReturnType(method.descriptor);
        boolean returnsVoid = returnType.getSort() == Type.VOID;
        if (phase == LifecyclePhase.UNLOAD) {
            if (!returnsVoid && !isReference(returnType)) {
                throw refuse(where + " returns " + returnType.getClassName()
                        + "; it must return the state object (an object type) or void");
            }
        } else if (!returnsVoid) {
            throw refuse(where + " must return void");
        }
        List<ParameterKind> kinds = new ArrayList<>();
        Type[] parameters = Type.getArgumentTypes(method.descriptor);
        for (int i = 0; i < parameters.length; i++) {
            String descriptor = parameters[i].getDescriptor();
            ParameterKind kind;
            if (CONTEXT.equals(descriptor)) {
                kind = ParameterKind.CONTEXT;
            } else if (phase == LifecyclePhase.LOAD && REASON.equals(descriptor)) {
                kind = ParameterKind.REASON;
            } else if (phase == LifecyclePhase.LOAD) {
                if (!isReference(parameters[i])) {
                    throw refuse(where + ": parameter " + (i + 1) + " (" + parameters[i].getClassName()
                            + ") cannot carry the state; the state must be an object type");
                }
                kind = ParameterKind.STATE;
            } else {
                throw refuse(where + " may only take ModuleContext, not " + parameters[i].getClassName());
            }
            if (kinds.contains(kind)) {
                throw refuse(where + (kind == ParameterKind.STATE ? " takes two state parameters"
                        : " takes " + parameters[i].getClassName() + " twice"));
            }
            kinds.add(kind);
        }
        Object timeout = values.get("timeoutMillis");
        long timeoutMillis = timeout instanceof Long value ? value : 0L;
        return new LifecycleMethod(method.name, method.descriptor, kinds, timeoutMillis, !returnsVoid);
    }

    private int checkMigration(String className, MethodInfo method, Map<String, Object> values) {
        String where = "@Migrate method " + className + "." + method.readable();
        if ((method.access & Opcodes.ACC_STATIC) == 0) {
            throw refuse(where + " must be static");
        }
        if (!MIGRATE_DESCRIPTOR.equals(method.descriptor)) {
            throw refuse(where + " must take and return " + OBJECT_NODE.replace('/', '.'));
        }
        Object from = values.get("from");
        if (!(from instanceof Integer value)) {
            throw refuse(where + " has no from value");
        }
        return value;
    }

    private static boolean isReference(Type type) {
        return type.getSort() == Type.OBJECT || type.getSort() == Type.ARRAY;
    }

    private static String annotationName(LifecyclePhase phase) {
        String name = phase.name();
        return "@" + name.charAt(0) + name.substring(1).toLowerCase(Locale.ROOT);
    }

    private void parse(String className, byte[] bytes, ClassVisitor visitor) {
        try {
            new ClassReader(bytes).accept(visitor, SKIP_ALL);
        } catch (RuntimeException e) {
            // ASM reports malformed or unsupported class files with IllegalArgumentException or index errors.
            throw InvalidModuleException.reading(jar, module, version, "class " + className
                    + " cannot be read (" + e + ")", e);
        }
    }

    private InvalidModuleException refuse(String cause) {
        return InvalidModuleException.reading(jar, module, version, cause, null);
    }

    /** One method of the lifecycle class and the annotations of interest on it, with their values. */
    private static final class MethodInfo {
        final int access;
        final String name;
        final String descriptor;
        final Map<String, Map<String, Object>> annotations = new LinkedHashMap<>();

        MethodInfo(int access, String name, String descriptor) {
            this.access = access;
            this.name = name;
            this.descriptor = descriptor;
        }

        /** {@code name(Type, Type)} with simple type names, for messages. */
        String readable() {
            StringBuilder text = new StringBuilder(name).append('(');
            Type[] parameters = Type.getArgumentTypes(descriptor);
            for (int i = 0; i < parameters.length; i++) {
                String type = parameters[i].getClassName();
                text.append(i == 0 ? "" : ", ").append(type.substring(type.lastIndexOf('.') + 1));
            }
            return text.append(')').toString();
        }
    }

    /** Collects what {@link #finish()} checks about the lifecycle class. */
    private static final class ClassInfo extends ClassVisitor {
        int access;
        boolean noArgConstructor;
        boolean reloadable = true;
        int stateVersion = 1;
        final List<MethodInfo> methods = new ArrayList<>();
        /** {@code @State} field name to whether it is static. */
        final Map<String, Boolean> stateFields = new LinkedHashMap<>();

        ClassInfo() {
            super(Opcodes.ASM9);
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName,
                          String[] interfaces) {
            this.access = access;
        }

        @Override
        public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
            if (HOTPLUG_MODULE.equals(descriptor)) {
                return values(new HashMap<>(), v -> reloadable = !Boolean.FALSE.equals(v.get("reloadable")));
            }
            if (STATE_VERSION.equals(descriptor)) {
                return values(new HashMap<>(), v -> {
                    if (v.get("value") instanceof Integer value) {
                        stateVersion = value;
                    }
                });
            }
            return null;
        }

        @Override
        public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
            boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
            return new FieldVisitor(Opcodes.ASM9) {
                @Override
                public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                    if (STATE.equals(annotation)) {
                        stateFields.put(name, isStatic);
                    }
                    return null;
                }
            };
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                         String[] exceptions) {
            if (name.equals("<init>") && descriptor.equals("()V")) {
                noArgConstructor = true;
            }
            if ((access & (Opcodes.ACC_SYNTHETIC | Opcodes.ACC_BRIDGE)) != 0 || name.startsWith("<")) {
                return null;
            }
            MethodInfo method = new MethodInfo(access, name, descriptor);
            methods.add(method);
            return new MethodVisitor(Opcodes.ASM9) {
                @Override
                public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                    if (PHASES.containsKey(annotation) || MIGRATE.equals(annotation)) {
                        Map<String, Object> values = new HashMap<>();
                        method.annotations.put(annotation, values);
                        return values(values, v -> { });
                    }
                    return null;
                }
            };
        }

        private static AnnotationVisitor values(Map<String, Object> into,
                                                Consumer<Map<String, Object>> done) {
            return new AnnotationVisitor(Opcodes.ASM9) {
                @Override
                public void visit(String name, Object value) {
                    into.put(name, value);
                }

                @Override
                public void visitEnd() {
                    done.accept(into);
                }
            };
        }
    }
}
