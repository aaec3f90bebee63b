package dev.hotplug.state;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Turns one module generation's state objects into Jackson trees and back; one codec per generation,
 * thread-safe, never blocks on I/O. What is carried:
 * <ul>
 * <li>Fields, not getters or setters: every non-static, non-transient field of any visibility, final ones
 *     included (set by reflection). Records are built through their canonical constructor; a class without a
 *     no-argument constructor (any visibility) through its only constructor, whose parameter names Jackson
 *     needs (records always have them; plain classes need {@code javac -parameters}).</li>
 * <li>A property the target class does not have is ignored (a field removed in v2 does not fail the reload);
 *     a field missing from the tree keeps what the constructor gave it (its initializer), and a constructor
 *     parameter missing from the tree gets 0, false, null or {@code Optional.empty()}.</li>
 * <li>{@code java.time} values as ISO-8601 strings, {@code Duration} as {@code PT1M30S}; {@code Optional},
 *     collections, maps, arrays, enums (by name) and nested classes as Jackson does them.</li>
 * <li>A class without fields is written as {@code {}} rather than refused ({@code FAIL_ON_EMPTY_BEANS} off):
 *     an empty state class is a legitimate first schema. A JDK class Jackson has no serializer for (a thread,
 *     a lock, a socket, a bare {@code Object}) is refused instead of being written as a hollow bean.</li>
 * </ul>
 * The mapper resolves class names through the generation's loader and has a type cache of its own, so no
 * JVM-wide Jackson cache ever holds module classes; {@link #release()} drops it all.
 */
public final class StateCodec {

    private final String module;
    private final String moduleVersion;
    private volatile ObjectMapper mapper;

    private StateCodec(String module, String moduleVersion, ObjectMapper mapper) {
        this.module = module;
        this.moduleVersion = moduleVersion;
        this.mapper = mapper;
    }

    /**
     * A codec for the generation whose classes {@code loader} defines; {@code module} and {@code moduleVersion}
     * name it in failure messages ({@code moduleVersion} may be {@code null}).
     */
    public static StateCodec forClassLoader(String module, String moduleVersion, ClassLoader loader) {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(loader, "loader");
        return new StateCodec(module, moduleVersion, CodecMapper.create(loader));
    }

    /** The module this codec serves. */
    public String module() {
        return module;
    }

    /**
     * Encodes {@code state} as a tree; {@code null} becomes {@link NullNode}. Throws {@link StateException}
     * naming the offending field's path when a value cannot be written.
     */
    public JsonNode encode(Object state) {
        return encodeValue(mapper("encode"), state, null);
    }

    /**
     * Builds an instance of {@code type} (a class or a generic type such as {@code Map<String, List<Item>>})
     * from {@code tree}; a {@code null}, missing or JSON-null tree gives {@code null} (0 or false for a
     * primitive). Throws {@link StateException} naming the field's path when the tree does not fit.
     */
    public Object decode(JsonNode tree, Type type) {
        Objects.requireNonNull(type, "type");
        return decodeValue(mapper("decode"), tree, type, null);
    }

    /**
     * Encodes the {@code @State} fields of {@code instance} as an object keyed by field name. Static fields and
     * two fields of one name are refused with {@link StateException}.
     */
    public ObjectNode encodeFields(Object instance, List<Field> fields) {
        Objects.requireNonNull(instance, "instance");
        ObjectMapper current = mapper("encode");
        ObjectNode out = current.createObjectNode();
        for (Field field : checked(fields, "encode")) {
            Object value;
            try {
                value = field.get(instance);
            } catch (IllegalAccessException | IllegalArgumentException e) {
                throw failure("encode", "field " + field.getName() + ": " + e.getMessage(), e);
            }
            out.set(field.getName(), encodeValue(current, value, field.getName()));
        }
        return out;
    }

    /**
     * Sets the {@code @State} fields of {@code instance} from the object {@code tree}, matched by name; a field
     * absent from the tree keeps its current value, a {@code null} or JSON-null tree leaves all. Final fields are
     * set too, by reflection (works on JDK 17 to 25; newer JDKs are moving to warn about it, so prefer non-final
     * {@code @State} fields; never possible for records). All values are built before any field is set, so a
     * {@link StateException} leaves the instance untouched.
     */
    public void decodeFields(JsonNode tree, Object instance, List<Field> fields) {
        Objects.requireNonNull(instance, "instance");
        ObjectMapper current = mapper("decode");
        List<Field> checked = checked(fields, "decode");
        if (tree == null || tree.isNull() || tree.isMissingNode()) {
            return;
        }
        if (!tree.isObject()) {
            throw failure("decode", "@State fields need a JSON object, found " + kind(tree.getNodeType()), null);
        }
        Object[] values = new Object[checked.size()];
        boolean[] present = new boolean[checked.size()];
        for (int i = 0; i < values.length; i++) {
            Field field = checked.get(i);
            JsonNode node = tree.get(field.getName());
            if (node != null) {
                values[i] = decodeValue(current, node, field.getGenericType(), field.getName());
                present[i] = true;
            }
        }
        for (int i = 0; i < values.length; i++) {
            if (present[i]) {
                Field field = checked.get(i);
                try {
                    field.set(instance, values[i]);
                } catch (IllegalAccessException | IllegalArgumentException e) {
                    throw failure("decode", "field " + field.getName() + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /**
     * Builds and caches the deserializers of {@code reads} and the serializers of {@code writes}, so the first
     * {@link #decode} and {@link #encode} of this generation — inside a reload's pause — find them ready.
     * Introspects the classes without initializing them (no module code runs); blocks while it does. A type Jackson
     * cannot handle is not reported here: it fails, with its field path, when it is really decoded or encoded.
     */
    public void prepare(List<Type> reads, List<Type> writes) {
        ObjectMapper current = mapper("prepare");
        // readerFor/writerFor fetch the root (de)serializer eagerly into the mapper's caches (Jackson's default).
        for (Type type : reads) {
            current.readerFor(current.getTypeFactory().constructType(type));
        }
        for (Type type : writes) {
            current.writerFor(current.getTypeFactory().constructType(type));
        }
    }

    /**
     * Drops the mapper and its caches so the generation's classloader can be collected even while this codec
     * is still referenced; later calls throw {@link StateException}. Idempotent.
     */
    public void release() {
        ObjectMapper current = mapper;
        mapper = null;
        if (current != null) {
            current.getTypeFactory().clearCache();
        }
    }

    private JsonNode encodeValue(ObjectMapper current, Object value, String fieldName) {
        if (value == null) {
            return NullNode.getInstance();
        }
        try {
            return current.valueToTree(value);
        } catch (IllegalArgumentException e) {
            // valueToTree reports every Jackson failure as IllegalArgumentException around the real one.
            throw failure("encode", JsonPaths.describe(fieldName, e), e.getCause() != null ? e.getCause() : e);
        }
    }

    private Object decodeValue(ObjectMapper current, JsonNode tree, Type type, String fieldName) {
        JsonNode source = tree == null || tree.isMissingNode() ? NullNode.getInstance() : tree;
        try {
            JavaType javaType = current.getTypeFactory().constructType(type);
            return current.readerFor(javaType).readValue(source);
        } catch (IOException | IllegalArgumentException e) {
            // A field name says what was built; a bare decode says it by the declared type.
            String subject = fieldName == null ? " as " + type.getTypeName() : "";
            throw new StateException("Cannot decode state of module " + module + subject + ": "
                    + JsonPaths.describe(fieldName, e), module, moduleVersion, null, e);
        }
    }

    private List<Field> checked(List<Field> fields, String action) {
        Set<String> names = new HashSet<>();
        for (Field field : fields) {
            if (Modifier.isStatic(field.getModifiers())) {
                throw failure(action, "field " + field.getName() + " of " + field.getDeclaringClass().getName()
                        + " is static; @State fields are instance fields", null);
            }
            if (!names.add(field.getName())) {
                throw failure(action, "two @State fields are named " + field.getName()
                        + "; fields are matched by name", null);
            }
            try {
                field.setAccessible(true);
            } catch (RuntimeException e) {
                // InaccessibleObjectException (Java 9+) when the field's module does not open its package.
                throw failure(action, "field " + field.getName() + ": " + e.getMessage(), e);
            }
        }
        return fields;
    }

    private ObjectMapper mapper(String action) {
        ObjectMapper current = mapper;
        if (current == null) {
            throw failure(action, "the codec of this generation was released", null);
        }
        return current;
    }

    private StateException failure(String action, String cause, Throwable exception) {
        return new StateException("Cannot " + action + " state of module " + module + ": " + cause,
                module, moduleVersion, null, exception);
    }

    private static String kind(JsonNodeType type) {
        return type == JsonNodeType.ARRAY ? "an array" : "a " + type.name().toLowerCase(java.util.Locale.ROOT);
    }
}
