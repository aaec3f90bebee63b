package dev.hotplug.state;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The on-disk form of a {@link StateRecord}: a text header line, then the JSON body, then a newline.
 * <pre>
 * hotplug-state 1 &lt;body length&gt; &lt;crc32c of body, 8 hex digits&gt;\n
 * {"module":"counter","moduleVersion":"1.2.0","stateVersion":2,"writtenAt":"...","sequence":7,"state":{...}}\n
 * </pre>
 * The exact length and the checksum cover every byte of the body, so a file cut at any point, or with any
 * byte changed, is recognised as damaged rather than read in part. After the final newline a file may hold spaces
 * ({@code ' '}) and nothing else: the store overwrites its files in place and pads a record shorter than the file to
 * the file's present size, so the size never changes. Any other trailing byte (left by a write torn over an older
 * record) makes the file damaged.
 */
final class StateFile {

    private static final String MAGIC = "hotplug-state";
    static final int FORMAT = 1;
    private static final int MAX_HEADER = 128;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * Tree-only and module-independent: it never sees a module class, so it may live as long as the process.
     * Floats are read as exact BigDecimals so no digit written is lost on the way back. It reads back whatever it
     * wrote: Jackson's read limits (20 M characters a string, 1000 digits a number, 50 000 a name) guard against
     * hostile input, and a checksummed file we wrote is none, while a state over them is still a state to keep.
     */
    private static final ObjectMapper TREES = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength(Integer.MAX_VALUE)
                            .maxNumberLength(Integer.MAX_VALUE)
                            .maxNameLength(Integer.MAX_VALUE)
                            .maxNestingDepth(StreamWriteConstraints.defaults().getMaxNestingDepth())
                            .build())
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private StateFile() {
    }

    static byte[] encode(StateRecord record) {
        ObjectNode body = TREES.createObjectNode();
        body.put("module", record.module());
        body.put("moduleVersion", record.moduleVersion());
        body.put("stateVersion", record.stateVersion());
        body.put("writtenAt", record.writtenAt().toString());
        body.put("sequence", record.sequence());
        body.set("state", record.state());
        byte[] json;
        try {
            json = TREES.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new StateException("Cannot write state of module " + record.module() + ": " + e.getOriginalMessage(),
                    record.module(), record.moduleVersion(), null, e);
        }
        byte[] header = (MAGIC + " " + FORMAT + " " + json.length + " " + crcHex(json, 0, json.length) + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(header, header.length + json.length + 1);
        System.arraycopy(json, 0, out, header.length, json.length);
        out[out.length - 1] = '\n';
        return out;
    }

    /** Reads a record for {@code module}, or says why {@code bytes} are not one; spaces after it are padding. */
    static StateRecord decode(byte[] bytes, String module) throws Damaged {
        int newline = -1;
        for (int i = 0; i < Math.min(bytes.length, MAX_HEADER); i++) {
            if (bytes[i] == '\n') {
                newline = i;
                break;
            }
        }
        if (newline < 0) {
            throw new Damaged(bytes.length == 0 ? "empty file" : "no state header (truncated, or not a state file)");
        }
        String[] header = new String(bytes, 0, newline, StandardCharsets.US_ASCII).split(" ");
        if (header.length != 4 || !header[0].equals(MAGIC)) {
            throw new Damaged("no state header (not a state file)");
        }
        if (!header[1].equals(Integer.toString(FORMAT))) {
            throw new Damaged("unknown state file format " + header[1] + " (this build reads " + FORMAT + ")");
        }
        long length;
        try {
            length = Long.parseLong(header[2]);
        } catch (NumberFormatException e) {
            throw new Damaged("bad body length in header: " + header[2]);
        }
        if (length < 0) {
            throw new Damaged("bad body length in header: " + header[2]);
        }
        long expected = newline + 1L + length + 1L;
        if (bytes.length < expected) {
            throw new Damaged("truncated: " + bytes.length + " bytes where the header promises " + expected);
        }
        for (int i = (int) expected; i < bytes.length; i++) {
            if (bytes[i] != ' ') {
                throw new Damaged("wrong size: " + bytes.length + " bytes where the header promises " + expected
                        + " (byte " + i + " after the record is not padding)");
            }
        }
        if (bytes[(int) expected - 1] != '\n') {
            throw new Damaged("no final newline");
        }
        String crc = crcHex(bytes, newline + 1, (int) length);
        if (!crc.equals(header[3])) {
            throw new Damaged("checksum mismatch: header says " + header[3] + ", body has " + crc);
        }
        JsonNode body;
        try {
            body = TREES.readTree(bytes, newline + 1, (int) length);
        } catch (IOException e) {
            throw new Damaged("bad JSON: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        return record(body, module);
    }

    private static StateRecord record(JsonNode body, String module) throws Damaged {
        if (body == null || !body.isObject()) {
            throw new Damaged("body is not a JSON object");
        }
        String written = text(body, "module", false);
        if (!module.equals(written)) {
            throw new Damaged("written for module " + written + ", not " + module);
        }
        String moduleVersion = text(body, "moduleVersion", true);
        JsonNode stateVersion = body.get("stateVersion");
        if (stateVersion == null || !stateVersion.isInt() || stateVersion.intValue() < 1) {
            throw new Damaged("bad stateVersion " + stateVersion);
        }
        JsonNode sequence = body.get("sequence");
        if (sequence == null || !sequence.canConvertToLong() || !sequence.isIntegralNumber() || sequence.longValue() < 1) {
            throw new Damaged("bad sequence " + sequence);
        }
        Instant writtenAt;
        try {
            writtenAt = Instant.parse(text(body, "writtenAt", false));
        } catch (DateTimeParseException e) {
            throw new Damaged("bad writtenAt: " + e.getMessage());
        }
        JsonNode state = body.get("state");
        if (state == null) {
            throw new Damaged("no state in body");
        }
        return new StateRecord(module, moduleVersion, stateVersion.intValue(), writtenAt, sequence.longValue(), state);
    }

    private static String text(JsonNode body, String name, boolean nullable) throws Damaged {
        JsonNode node = body.get(name);
        if (node != null && node.isTextual()) {
            return node.textValue();
        }
        if (nullable && node != null && node.isNull()) {
            return null;
        }
        throw new Damaged("bad " + name + " " + node);
    }

    private static String crcHex(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        int value = (int) crc.getValue();
        char[] hex = new char[8];
        for (int i = 7; i >= 0; i--, value >>>= 4) {
            hex[i] = HEX[value & 0xf];
        }
        return new String(hex);
    }

    /** Why a file is not a valid state record. */
    static final class Damaged extends Exception {
        private static final long serialVersionUID = 1L;

        Damaged(String reason) {
            super(reason);
        }
    }
}
