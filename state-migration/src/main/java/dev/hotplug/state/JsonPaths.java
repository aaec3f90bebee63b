package dev.hotplug.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;

import java.util.List;

/** Turns Jackson's failure reports into "field items[2].socket: cause" text. */
final class JsonPaths {

    /** Deep cycles make paths thousands of steps long; the start says where, the rest is noise. */
    private static final int MAX_PATH = 240;

    private JsonPaths() {
    }

    /**
     * Describes {@code failure} (a Jackson exception, or one wrapping it) as "field a.b[2]: cause", or just
     * "cause" when no field is known; {@code prefix} (may be {@code null}) is put before the path.
     */
    static String describe(String prefix, Throwable failure) {
        JsonMappingException mapping = find(failure, JsonMappingException.class);
        String path = mapping == null ? "" : path(mapping.getPath());
        if (prefix != null) {
            path = path.isEmpty() ? prefix : path.startsWith("[") ? prefix + path : prefix + "." + path;
        }
        String cause = cause(failure);
        return path.isEmpty() ? cause : "field " + path + ": " + cause;
    }

    static String path(List<JsonMappingException.Reference> references) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference reference : references) {
            if (out.length() > MAX_PATH) {
                out.append("...");
                break;
            }
            if (reference.getFieldName() != null) {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                out.append('[').append(reference.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static String cause(Throwable failure) {
        JsonProcessingException processing = find(failure, JsonProcessingException.class);
        if (processing != null) {
            String original = processing.getOriginalMessage();
            Throwable inner = processing.getCause();
            // Jackson wraps exceptions thrown by module code (a constructor, a @JsonCreator) with their text
            // only; the exception type tells the user more than the bare message.
            if (inner != null && !(inner instanceof JsonProcessingException) && original != null
                    && original.equals(inner.getMessage())) {
                return inner.getClass().getName() + ": " + original;
            }
            return original != null ? original : processing.getClass().getName();
        }
        return failure.getMessage() != null ? failure.getMessage() : failure.getClass().getName();
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
