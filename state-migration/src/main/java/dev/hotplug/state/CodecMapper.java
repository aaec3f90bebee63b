package dev.hotplug.state;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.AnnotationIntrospector;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.TypeFactory;
import com.fasterxml.jackson.databind.util.LRUMap;
import com.fasterxml.jackson.databind.util.LookupCache;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;

/** Builds the object mapper of one module generation; see {@link StateCodec} for the rules it encodes. */
final class CodecMapper {

    private CodecMapper() {
    }

    static ObjectMapper create(ClassLoader loader) {
        // A type cache of its own: the JVM-wide TypeFactory.defaultInstance() cache would keep module classes
        // (and so their loader) alive after the generation is released. (Registering Jdk8Module also swaps in a
        // fresh cache, as TypeFactory.withModifier does; this does not rely on that.)
        LookupCache<Object, JavaType> typeCache = new LRUMap<>(16, 200);
        TypeFactory types = TypeFactory.createDefaultInstance().withCache(typeCache).withClassLoader(loader);
        SimpleModule guard = new SimpleModule("hotplug-state-jdk-guard");
        guard.setSerializerModifier(new JdkTypeGuard.OnWrite());
        guard.setDeserializerModifier(new JdkTypeGuard.OnRead());
        return JsonMapper.builder()
                .typeFactory(types)
                .annotationIntrospector(AnnotationIntrospector.pair(new JdkTypeGuard.Invisible(),
                        new JacksonAnnotationIntrospector()))
                .addModule(new JavaTimeModule())
                .addModule(new Jdk8Module())
                // PROPERTIES: a one-argument constructor takes a JSON object with that property, as records do,
                // rather than the bare value.
                .addModule(new ParameterNamesModule(JsonCreator.Mode.PROPERTIES))
                .addModule(guard)
                .visibility(PropertyAccessor.FIELD, Visibility.ANY)
                .visibility(PropertyAccessor.GETTER, Visibility.NONE)
                .visibility(PropertyAccessor.IS_GETTER, Visibility.NONE)
                .visibility(PropertyAccessor.SETTER, Visibility.NONE)
                .visibility(PropertyAccessor.CREATOR, Visibility.ANY)
                .enable(MapperFeature.ALLOW_FINAL_FIELDS_AS_MUTATORS)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build();
    }
}
