package dev.hotplug.state;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBase;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.introspect.AnnotatedClass;
import com.fasterxml.jackson.databind.introspect.NopAnnotationIntrospector;
import com.fasterxml.jackson.databind.introspect.VisibilityChecker;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.ser.impl.UnknownSerializer;
import com.fasterxml.jackson.databind.ser.std.BeanSerializerBase;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import java.io.IOException;

/**
 * Refuses JDK classes that Jackson has no dedicated (de)serializer for. Left alone, Jackson writes them as
 * beans through their public getters: a {@code Thread} becomes its name, stack trace and thread group, a lock
 * its hold count, a bare {@code Object} an empty object; the new version would get a hollow copy silently.
 */
final class JdkTypeGuard {

    private JdkTypeGuard() {
    }

    static boolean isJdkClass(Class<?> type) {
        ClassLoader loader = type.getClassLoader();
        return loader == null || loader == ClassLoader.getPlatformClassLoader();
    }

    /**
     * A JDK class, or a class of ours extending one other than {@code Object}, {@code Record} or {@code Enum}: a
     * {@code Thread} subclass is as little state data as a {@code Thread}, and its inherited fields are as closed.
     */
    static boolean isOrExtendsJdkClass(Class<?> type) {
        if (isJdkClass(type)) {
            return true;
        }
        for (Class<?> c = type.getSuperclass(); c != null && c != Object.class && c != Record.class && c != Enum.class;
             c = c.getSuperclass()) {
            if (isJdkClass(c)) {
                return true;
            }
        }
        return false;
    }

    static String refusal(Class<?> type) {
        if (isJdkClass(type)) {
            return type.getName() + " is not state data (a JDK class Jackson has no serializer for); carry its values"
                    + " instead";
        }
        Class<?> jdk = type.getSuperclass();
        while (!isJdkClass(jdk)) {
            jdk = jdk.getSuperclass();
        }
        return type.getName() + " is not state data (it extends " + jdk.getName() + ", a JDK class Jackson has no"
                + " serializer for); carry its values instead";
    }

    /**
     * Gives JDK classes no properties at all: the mapper's "all fields" rule would otherwise make Jackson try to
     * open JDK internals (and fail with an access error) before {@link OnRead} can refuse the class.
     */
    static final class Invisible extends NopAnnotationIntrospector {
        private static final long serialVersionUID = 1L;

        @Override
        public VisibilityChecker<?> findAutoDetectVisibility(AnnotatedClass type, VisibilityChecker<?> checker) {
            return isOrExtendsJdkClass(type.getRawType()) ? checker.with(Visibility.NONE) : checker;
        }
    }

    static final class OnWrite extends BeanSerializerModifier {
        private static final long serialVersionUID = 1L;

        @Override
        public JsonSerializer<?> modifySerializer(SerializationConfig config, BeanDescription description,
                                                  JsonSerializer<?> serializer) {
            Class<?> type = description.getBeanClass();
            if (isOrExtendsJdkClass(type)
                    && (serializer instanceof BeanSerializerBase || serializer instanceof UnknownSerializer)) {
                return new Refusing(type);
            }
            return serializer;
        }
    }

    static final class OnRead extends BeanDeserializerModifier {
        private static final long serialVersionUID = 1L;

        @Override
        public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription description,
                                                      JsonDeserializer<?> deserializer) {
            Class<?> type = description.getBeanClass();
            if (isOrExtendsJdkClass(type) && deserializer instanceof BeanDeserializerBase) {
                return new RefusingReader(type);
            }
            return deserializer;
        }
    }

    private static final class Refusing extends StdSerializer<Object> {
        private static final long serialVersionUID = 1L;

        Refusing(Class<?> type) {
            super(type, false);
        }

        @Override
        public void serialize(Object value, JsonGenerator generator, SerializerProvider provider) throws IOException {
            throw InvalidDefinitionException.from(generator, refusal(value.getClass()), provider.constructType(value.getClass()));
        }
    }

    private static final class RefusingReader extends StdDeserializer<Object> {
        private static final long serialVersionUID = 1L;

        RefusingReader(Class<?> type) {
            super(type);
        }

        @Override
        public Object deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            throw InvalidDefinitionException.from(parser, refusal(handledType()), context.constructType(handledType()));
        }
    }
}
