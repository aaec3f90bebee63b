package dev.hotplug.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import java.time.Instant;
import java.util.Objects;

/**
 * One saved state of a module as the {@link StateStore} keeps it: who wrote it, at which state schema
 * version, when, its place in the module's write order, and the state tree. Immutable.
 *
 * @param module        the module's name, never {@code null}
 * @param moduleVersion the version of the module that wrote it; {@code null} when not known
 * @param stateVersion  the state schema version ({@code @StateVersion}), 1 or more
 * @param writtenAt     when it was written; {@code null} before writing (the store stamps the time)
 * @param sequence      the store-assigned write number, increasing per module; 0 before writing
 * @param state         the state tree, plain JSON nodes only (as {@link StateCodec} makes them: a {@code POJONode}
 *                      would make the store serialize a module object); a {@code null} state is held as
 *                      {@link NullNode}
 */
public record StateRecord(String module, String moduleVersion, int stateVersion, Instant writtenAt, long sequence,
                          JsonNode state) {

    /** Checks the fields; {@code null} state becomes {@link NullNode}. */
    public StateRecord {
        Objects.requireNonNull(module, "module");
        if (stateVersion < 1) {
            throw new IllegalArgumentException("state version must be 1 or more, got " + stateVersion);
        }
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must not be negative, got " + sequence);
        }
        state = state == null ? NullNode.getInstance() : state;
    }

    /** A record to hand to {@link StateStore#write(StateRecord)}: the store assigns time and sequence. */
    public static StateRecord of(String module, String moduleVersion, int stateVersion, JsonNode state) {
        return new StateRecord(module, moduleVersion, stateVersion, null, 0L, state);
    }
}
