package dev.hotplug.framework;

import dev.hotplug.api.ModuleException;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.FieldManifestation;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.implementation.FieldAccessor;
import net.bytebuddy.implementation.MethodCall;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.function.Supplier;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isDefaultMethod;
import static net.bytebuddy.matcher.ElementMatchers.isEquals;
import static net.bytebuddy.matcher.ElementMatchers.isHashCode;
import static net.bytebuddy.matcher.ElementMatchers.isToString;

/**
 * Generates, with ByteBuddy, one proxy class per service interface: every method — defaults and {@code equals},
 * {@code hashCode}, {@code toString} included — is {@code ((I) slot.get()).m(args)}, with no reflection and no
 * allocation. Classes are defined in a child of the interface's own loader and cached in a {@link ClassValue} of the
 * interface, so no module classloader is held beyond the life of its own classes. Thread-safe.
 */
final class ServiceProxies {

    /** Suffix of generated proxy class names; quiescence recognises proxy frames by it. */
    static final String SUFFIX = "$HotplugProxy";

    private static final ClassValue<Constructor<?>> CONSTRUCTORS = new ClassValue<>() {
        @Override
        protected Constructor<?> computeValue(Class<?> type) {
            return generate(type);
        }
    };

    private ServiceProxies() {
    }

    /** A proxy of {@code type} reaching {@code slot}'s provider. */
    static <T> T create(Class<T> type, ServiceSlot slot) {
        if (!type.isInterface() || !Modifier.isPublic(type.getModifiers())) {
            throw new ModuleException(null, "Cannot look up service " + type.getName() + ": it is not a public interface",
                    null);
        }
        try {
            return type.cast(CONSTRUCTORS.get(type).newInstance(slot));
        } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
            throw new ModuleException(null, "Cannot create a proxy for service " + type.getName() + ": " + e, e);
        }
    }


    private static Constructor<?> generate(Class<?> type) {
        try {
            MethodCall target = MethodCall.invoke(Supplier.class.getMethod("get")).onField("slot");
            byte[] code = new ByteBuddy()
                    .subclass(Object.class)
                    .name(type.getName() + SUFFIX)
                    .implement(type)
                    .defineField("slot", Supplier.class, Visibility.PRIVATE, FieldManifestation.FINAL)
                    .defineConstructor(Visibility.PUBLIC).withParameters(Supplier.class)
                    .intercept(MethodCall.invoke(Object.class.getConstructor()).andThen(FieldAccessor.ofField("slot").setsArgumentAt(0)))
                    .method(isAbstract().or(isDefaultMethod()).or(isEquals()).or(isHashCode())
                            .or(isToString()))
                    .intercept(MethodCall.invokeSelf().onMethodCall(target).withAllArguments()
                            .withAssigner(Assigner.DEFAULT, Assigner.Typing.DYNAMIC))
                    .make()
                    .getBytes();
            return new ProxyLoader(type.getClassLoader()).define(type.getName() + SUFFIX, code)
                    .getConstructor(Supplier.class);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("Cannot generate a proxy for " + type.getName() + ": " + e, e);
        }
    }

    /**
     * The loader of one proxy class, a child of its interface's loader. Not ByteBuddy's wrapper loader: that one keeps
     * the access control context of its creation, whose protection domains name the loader of every module with code
     * on the stack then, so the consumer whose {@code @Load} made the first proxy stayed as long as the provider.
     */
    private static final class ProxyLoader extends ClassLoader {

        static {
            registerAsParallelCapable();
        }

        ProxyLoader(ClassLoader parent) {
            super("hotplug-proxy", parent);
        }

        Class<?> define(String name, byte[] code) {
            return defineClass(name, code, 0, code.length);
        }
    }
}
