package dev.hotplug.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hotplug.framework.HistoryEntry;
import dev.hotplug.framework.ModuleInfo;
import dev.hotplug.isolation.LeakWatcher;
import dev.hotplug.state.StateRecord;

import java.util.List;

/** The {@code --json} shapes of SPEC's console commands, built with Jackson. Stateless and thread-safe. */
final class ConsoleJson {

    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ConsoleJson() {
    }

    static ObjectNode listItem(ModuleInfo m) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("name", m.name());
        node.put("version", m.version());
        node.put("generation", m.generation());
        node.put("status", m.status().name());
        node.put("reloads", m.reloads());
        return node;
    }

    static ObjectNode info(ModuleInfo m) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("name", m.name());
        node.put("version", m.version());
        node.put("generation", m.generation());
        node.put("status", m.status().name());
        node.put("file", m.file() == null ? null : m.file().toString());
        strings(node.putArray("exports"), m.exports());
        strings(node.putArray("imports"), m.imports());
        strings(node.putArray("services"), m.services());
        strings(node.putArray("nativeLibraries"), m.nativeLibraries());
        node.put("lastError", m.lastError());
        return node;
    }

    static ObjectNode history(HistoryEntry h) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("from", h.from());
        node.put("to", h.to());
        node.put("outcome", h.outcome().name());
        node.put("millis", h.millis());
        node.put("pauseMicros", h.pauseMicros());
        node.put("cause", h.cause());
        return node;
    }

    static ObjectNode state(String name, StateRecord r) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("name", name);
        node.put("stateVersion", r.stateVersion());
        node.put("writtenAt", r.writtenAt() == null ? null : r.writtenAt().toString());
        node.set("state", r.state());
        return node;
    }

    static ObjectNode leak(LeakWatcher.Leak l) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("name", l.module());
        node.put("generation", l.generation());
        node.put("releasedAt", l.releasedAt() == null ? null : l.releasedAt().toString());
        node.put("reason", l.reason());
        return node;
    }

    static ArrayNode array(List<ObjectNode> items) {
        ArrayNode array = MAPPER.createArrayNode();
        array.addAll(items);
        return array;
    }

    static String write(Object tree) {
        try {
            return MAPPER.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new ConsoleException("Cannot render JSON: " + e.getOriginalMessage(), null, e);
        }
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
