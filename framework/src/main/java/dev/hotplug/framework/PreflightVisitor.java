package dev.hotplug.framework;

import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.TypePath;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one module's class files for {@link Preflight}: each class's supertypes, the types its code can produce (for
 * the service check) and the first use of a {@code dev.hotplug.api} member or type the running API lacks. One visitor
 * serves every class of a jar in turn. Not thread-safe.
 */
final class PreflightVisitor extends ClassVisitor {

    /** A class's direct supertypes. */
    record Header(String superName, String[] interfaces) {
    }

    /** Errors javac-generated code (enum switch maps) and careful modules catch to outlive a missing member. */
    private static final Set<String> LINKAGE_GUARDS = Set.of("java/lang/NoSuchFieldError",
            "java/lang/NoSuchMethodError", "java/lang/NoClassDefFoundError", "java/lang/LinkageError",
            "java/lang/IncompatibleClassChangeError");
    private static final String LAMBDA_FACTORY = "java/lang/invoke/LambdaMetafactory";

    final Map<String, Header> headers;
    /** Types the module's code creates or obtains: instantiated, returned by calls, read from fields, lambdas. */
    final Set<String> produced = new HashSet<>();
    /** Whether some code builds implementations at run time ({@code Proxy.newProxyInstance}) the scan cannot see. */
    boolean dynamic;
    /** The first API problem, "class C uses ...", or {@code null}. */
    String apiProblem;
    private String className;

    PreflightVisitor(Map<String, Header> headers) {
        super(Opcodes.ASM9);
        this.headers = headers;
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
        className = name;
        headers.put(name, new Header(superName, interfaces == null ? new String[0] : interfaces));
        List<String> problems = new ArrayList<>();
        if (superName != null) {
            checkType(superName, problems);
        }
        if (interfaces != null) {
            for (String type : interfaces) {
                checkType(type, problems);
            }
        }
        report(problems);
    }

    @Override
    public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
        return annotation(descriptor, null);
    }

    @Override
    public AnnotationVisitor visitTypeAnnotation(int typeRef, TypePath typePath, String descriptor, boolean visible) {
        return annotation(descriptor, null);
    }

    @Override
    public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
        List<String> problems = new ArrayList<>();
        checkDescriptor(descriptor, problems);
        report(problems);
        return new FieldVisitor(Opcodes.ASM9) {
            @Override
            public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                return PreflightVisitor.this.annotation(annotation, null);
            }

            @Override
            public AnnotationVisitor visitTypeAnnotation(int typeRef, TypePath typePath, String annotation,
                                                         boolean visible) {
                return PreflightVisitor.this.annotation(annotation, null);
            }
        };
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                     String[] exceptions) {
        List<String> declared = new ArrayList<>();
        checkDescriptor(descriptor, declared);
        if (exceptions != null) {
            for (String type : exceptions) {
                checkType(type, declared);
            }
        }
        report(declared);
        return new CodeVisitor();
    }

    /** Checks an annotation's type, element names and enum or class values; problems go to {@code into} or out. */
    private AnnotationVisitor annotation(String descriptor, List<String> into) {
        List<String> problems = into != null ? into : new ArrayList<>();
        String type = descriptor == null ? null : Type.getType(descriptor).getInternalName();
        if (type != null) {
            checkType(type, problems);
        }
        boolean apiAnnotation = type != null && ApiSurface.isApi(type) && ApiSurface.hasType(type);
        return new AnnotationVisitor(Opcodes.ASM9) {
            @Override
            public void visit(String name, Object value) {
                element(name);
                if (value instanceof Type constant) {
                    checkDescriptor(constant.getDescriptor(), problems);
                }
            }

            @Override
            public void visitEnum(String name, String enumDescriptor, String value) {
                element(name);
                String enumType = Type.getType(enumDescriptor).getInternalName();
                checkType(enumType, problems);
                if (ApiSurface.isApi(enumType) && ApiSurface.hasType(enumType)
                        && !ApiSurface.hasConstant(enumType, value)) {
                    problems.add("enum constant " + dotted(enumType) + "." + value);
                }
            }

            @Override
            public AnnotationVisitor visitAnnotation(String name, String nested) {
                element(name);
                return PreflightVisitor.this.annotation(nested, problems);
            }

            @Override
            public AnnotationVisitor visitArray(String name) {
                element(name);
                return PreflightVisitor.this.annotation(null, problems);
            }

            @Override
            public void visitEnd() {
                if (into == null) {
                    report(problems);
                }
            }

            private void element(String name) {
                if (apiAnnotation && name != null && !ApiSurface.hasElement(type, name)) {
                    problems.add("annotation element " + dotted(type) + "." + name);
                }
            }
        };
    }

    /** Reads one method body; its API problems count unless the method guards itself against linkage errors. */
    private final class CodeVisitor extends MethodVisitor {
        private final List<String> problems = new ArrayList<>();
        private boolean guarded;

        CodeVisitor() {
            super(Opcodes.ASM9);
        }

        @Override
        public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
            return annotation(descriptor, null);
        }

        @Override
        public AnnotationVisitor visitParameterAnnotation(int parameter, String descriptor, boolean visible) {
            return annotation(descriptor, null);
        }

        @Override
        public AnnotationVisitor visitTypeAnnotation(int typeRef, TypePath typePath, String descriptor,
                                                     boolean visible) {
            return annotation(descriptor, null);
        }

        @Override
        public AnnotationVisitor visitAnnotationDefault() {
            return annotation(null, null);
        }

        @Override
        public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
            if (type != null) {
                guarded |= LINKAGE_GUARDS.contains(type);
                checkType(type, problems);
            }
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            checkType(type, problems);
            if (opcode == Opcodes.NEW) {
                produced.add(type);
            }
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            checkType(owner, problems);
            checkDescriptor(descriptor, problems);
            if (ApiSurface.isApi(owner) && ApiSurface.hasType(owner)
                    && !ApiSurface.hasField(owner, name, descriptor)) {
                problems.add("field " + dotted(owner) + "." + name);
            }
            if (opcode == Opcodes.GETSTATIC || opcode == Opcodes.GETFIELD) {
                produce(Type.getType(descriptor));
            }
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            checkType(owner, problems);
            checkDescriptor(descriptor, problems);
            if (ApiSurface.isApi(owner) && ApiSurface.hasType(owner)
                    && !ApiSurface.hasMethod(owner, name, descriptor)) {
                problems.add("method " + readable(owner, name, descriptor));
            }
            dynamic |= owner.equals("java/lang/reflect/Proxy") && name.equals("newProxyInstance");
            produce(Type.getReturnType(descriptor));
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
            checkDescriptor(descriptor, problems);
            for (Object argument : arguments) {
                constant(argument);
            }
            // A lambda or method reference: the interface it implements is the call site's return type.
            if (bootstrap.getOwner().equals(LAMBDA_FACTORY)) {
                produce(Type.getReturnType(descriptor));
            }
        }

        @Override
        public void visitLdcInsn(Object value) {
            constant(value);
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int dimensions) {
            checkDescriptor(descriptor, problems);
        }

        @Override
        public void visitEnd() {
            if (!guarded) {
                report(problems);
            }
        }

        private void constant(Object value) {
            if (value instanceof Type type) {
                checkDescriptor(type.getDescriptor(), problems);
            } else if (value instanceof Handle handle) {
                checkType(handle.getOwner(), problems);
                checkDescriptor(handle.getDesc(), problems);
                if (handle.getTag() <= Opcodes.H_PUTSTATIC) {
                    if (ApiSurface.isApi(handle.getOwner()) && ApiSurface.hasType(handle.getOwner())
                            && !ApiSurface.hasField(handle.getOwner(), handle.getName(), handle.getDesc())) {
                        problems.add("field " + dotted(handle.getOwner()) + "." + handle.getName());
                    }
                } else if (ApiSurface.isApi(handle.getOwner()) && ApiSurface.hasType(handle.getOwner())
                        && !ApiSurface.hasMethod(handle.getOwner(), handle.getName(), handle.getDesc())) {
                    problems.add("method " + readable(handle.getOwner(), handle.getName(), handle.getDesc()));
                }
            }
        }

        private void produce(Type type) {
            if (type.getSort() == Type.OBJECT) {
                produced.add(type.getInternalName());
            }
        }
    }

    private void report(List<String> problems) {
        if (apiProblem == null && !problems.isEmpty()) {
            apiProblem = "class " + dotted(className) + " uses " + problems.get(0);
        }
    }

    /** Checks an internal name or array descriptor (as {@code ANEWARRAY} and array owners give them). */
    private static void checkType(String type, List<String> problems) {
        if (type.startsWith("[")) {
            checkDescriptor(type, problems);
        } else if (ApiSurface.isApi(type) && !ApiSurface.hasType(type)) {
            problems.add("type " + dotted(type));
        }
    }

    private static void checkDescriptor(String descriptor, List<String> problems) {
        Type type = Type.getType(descriptor);
        if (type.getSort() == Type.METHOD) {
            for (Type argument : type.getArgumentTypes()) {
                checkDescriptor(argument.getDescriptor(), problems);
            }
            checkDescriptor(type.getReturnType().getDescriptor(), problems);
        } else if (type.getSort() == Type.ARRAY) {
            checkDescriptor(type.getElementType().getDescriptor(), problems);
        } else if (type.getSort() == Type.OBJECT) {
            checkType(type.getInternalName(), problems);
        }
    }

    static String dotted(String internalName) {
        return internalName.replace('/', '.');
    }

    /** {@code a.b.Owner.name(Param, Param)} with simple parameter names, for one-line messages. */
    private static String readable(String owner, String name, String descriptor) {
        StringBuilder text = new StringBuilder(dotted(owner)).append('.').append(name).append('(');
        Type[] parameters = Type.getArgumentTypes(descriptor);
        for (int i = 0; i < parameters.length; i++) {
            String type = parameters[i].getClassName();
            text.append(i == 0 ? "" : ", ").append(type.substring(type.lastIndexOf('.') + 1));
        }
        return text.append(')').toString();
    }
}
