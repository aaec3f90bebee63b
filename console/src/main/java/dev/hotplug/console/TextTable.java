package dev.hotplug.console;

import java.util.List;

/** Plain-text rendering of console output: aligned columns, {@code key: value} lines. Stateless. */
final class TextTable {

    private TextTable() {
    }

    /** Rows (the first is the header) as left-aligned columns two spaces apart; no trailing newline. */
    static String render(List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(row.get(i));
                if (i < columns - 1) {
                    line.append(" ".repeat(widths[i] - row.get(i).length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }

    /** Key and value pairs ({@code keyValues} alternates them) as {@code key: value} lines, keys aligned. */
    static String fields(List<String> keyValues) {
        int width = 0;
        for (int i = 0; i < keyValues.size(); i += 2) {
            width = Math.max(width, keyValues.get(i).length());
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < keyValues.size(); i += 2) {
            String key = keyValues.get(i) + ":";
            out.append(key).append(" ".repeat(width + 2 - key.length())).append(keyValues.get(i + 1)).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }
}
