package dev.hotplug.framework;

import dev.hotplug.api.ModuleContext;
import org.objectweb.asm.Type;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the running {@code dev.hotplug.api} offers, asked by reflection on the framework's own API classes (loading
 * those runs no module code). Answers are cached for the life of the JVM, since the API classes cannot change.
 * Thread-safe.
 */
final class ApiSurface {

    /** Internal-name prefix of the module API. */
    static final String PACKAGE = "dev/hotplug/api/";

    private static final ClassLoader LOADER = ModuleContext.class.getClassLoader();
    private static final ConcurrentHashMap<String, Boolean> ANSWERS = new ConcurrentHashMap<>();

    private ApiSurface() {
    }

    static boolean isApi(String internalName) {
        return internalName.startsWith(PACKAGE);
    }

    /** Whether the API has the class {@code internalName}. */
    static boolean hasType(String internalName) {
        return ANSWERS.computeIfAbsent("T " + internalName, k -> type(internalName) != null);
    }

    /** Whether a call of {@code owner.name descriptor} resolves to a non-private method or constructor of the API. */
    static boolean hasMethod(String owner, String name, String descriptor) {
        return ANSWERS.computeIfAbsent("M " + owner + "." + name + descriptor, k -> {
            Class<?> type = type(owner);
            if (type == null) {
                return false;
            }
            if (name.equals("<init>")) {
                for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                    if (!Modifier.isPrivate(constructor.getModifiers())
                            && Type.getConstructorDescriptor(constructor).equals(descriptor)) {
                        return true;
                    }
                }
                return false;
            }
            for (Class<?> declaring : supertypes(type)) {
                for (Method method : declaring.getDeclaredMethods()) {
                    if (method.getName().equals(name) && !Modifier.isPrivate(method.getModifiers())
                            && Type.getMethodDescriptor(method).equals(descriptor)) {
                        return true;
                    }
                }
            }
            return false;
        });
    }

    /** Whether {@code owner.name} resolves to a non-private field of type {@code descriptor} in the API. */
    static boolean hasField(String owner, String name, String descriptor) {
        return ANSWERS.computeIfAbsent("F " + owner + "." + name + ":" + descriptor, k -> {
            Class<?> type = type(owner);
            if (type == null) {
                return false;
            }
            for (Class<?> declaring : supertypes(type)) {
                for (Field field : declaring.getDeclaredFields()) {
                    if (field.getName().equals(name) && !Modifier.isPrivate(field.getModifiers())
                            && Type.getDescriptor(field.getType()).equals(descriptor)) {
                        return true;
                    }
                }
            }
            return false;
        });
    }

    /** Whether the API annotation {@code internalName} has the element {@code name}. */
    static boolean hasElement(String internalName, String name) {
        return ANSWERS.computeIfAbsent("E " + internalName + "." + name, k -> {
            Class<?> type = type(internalName);
            if (type == null) {
                return false;
            }
            for (Method method : type.getDeclaredMethods()) {
                if (method.getName().equals(name) && method.getParameterCount() == 0) {
                    return true;
                }
            }
            return false;
        });
    }

    /** Whether the API enum {@code internalName} has the constant {@code name}. */
    static boolean hasConstant(String internalName, String name) {
        return ANSWERS.computeIfAbsent("C " + internalName + "." + name, k -> {
            Class<?> type = type(internalName);
            if (type == null || !type.isEnum()) {
                return false;
            }
            for (Field field : type.getDeclaredFields()) {
                if (field.isEnumConstant() && field.getName().equals(name)) {
                    return true;
                }
            }
            return false;
        });
    }

    private static Class<?> type(String internalName) {
        try {
            return Class.forName(internalName.replace('/', '.'), false, LOADER);
        } catch (ClassNotFoundException | LinkageError e) {
            // Absent from the running API: exactly what the caller asks about, so "no" is the whole answer.
            return null;
        }
    }

    /** {@code type}, its superclasses and all its superinterfaces, then {@code Object} (which interfaces inherit). */
    private static Set<Class<?>> supertypes(Class<?> type) {
        Set<Class<?>> all = new HashSet<>();
        Deque<Class<?>> open = new ArrayDeque<>();
        open.add(type);
        while (!open.isEmpty()) {
            Class<?> next = open.poll();
            if (all.add(next)) {
                if (next.getSuperclass() != null) {
                    open.add(next.getSuperclass());
                }
                open.addAll(List.of(next.getInterfaces()));
            }
        }
        all.add(Object.class);
        return all;
    }
}
