package dev.loomgate.gateway.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.loomgate.gateway.units.Units;

/**
 * Reads the {@code | key | default | meaning |} tables of the docs and compares them with a
 * {@link ConfigReference.Table}: keys on one side only, and defaults that differ (in meaning: {@code 60s} is
 * {@code 1m}, {@code 16384} is {@code 16KiB}).
 */
final class DocTables {
    private DocTables() {
    }

    /** docs/NAME from the module directory (where Maven runs tests), or from the repository root. */
    static String read(String document) throws IOException {
        Path fromModule = Path.of("..", "docs", document);
        return Files.readString(Files.exists(fromModule) ? fromModule : Path.of("docs", document));
    }

    /** Every disagreement between the table under {@code expected.heading()} in {@code markdown} and {@code expected}. */
    static List<String> disagreements(ConfigReference.Table expected, String markdown) {
        String where = expected.document() + " \"" + expected.heading() + "\"";
        Map<String, String> documented;
        try {
            documented = table(markdown, expected.heading());
        } catch (IllegalArgumentException e) {
            return List.of(where + ": " + e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        for (ConfigReference.Row row : expected.rows()) {
            String doc = documented.get(row.key());
            if (doc == null) {
                problems.add(where + ": key " + row.key() + " is accepted by the code but missing from the table");
            } else if (!same(doc, row.defaultText())) {
                problems.add(where + ": " + row.key() + " defaults to '" + row.defaultText() + "' in the code, the docs say '"
                        + doc + "'");
            }
        }
        for (String key : documented.keySet()) {
            if (!expected.keys().contains(key)) {
                problems.add(where + ": key " + key + " is documented but the code has no such key");
            }
        }
        return problems;
    }

    /** Equal text, or the same duration ({@code 60s}, {@code 1m}) or size ({@code 16384}, {@code 16KiB}). */
    static boolean same(String documented, String code) {
        if (documented.equals(code)) {
            return true;
        }
        try {
            return Units.duration(documented).equals(Units.duration(code));
        } catch (IllegalArgumentException notDurations) {
            try {
                return Units.size(documented) == Units.size(code);
            } catch (IllegalArgumentException notSizes) {
                return false;
            }
        }
    }

    /** Key to normalized default of the first key/default table after {@code heading}. */
    static Map<String, String> table(String markdown, String heading) {
        List<String> lines = markdown.lines().toList();
        int at = lines.indexOf(heading);
        if (at < 0) {
            throw new IllegalArgumentException("no such heading");
        }
        int i = at + 1;
        boolean code = false;
        while (i < lines.size() && (code || !lines.get(i).startsWith("| key | default |"))) {
            if (lines.get(i).startsWith("```")) {
                code = !code;
            } else if (!code && lines.get(i).matches("#{1,6} .*")) {
                throw new IllegalArgumentException("no '| key | default |' table before the next heading");
            }
            i++;
        }
        if (i == lines.size()) {
            throw new IllegalArgumentException("no '| key | default |' table");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (i += 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            List<String> cells = cells(lines.get(i));
            if (cells.size() < 2) {
                throw new IllegalArgumentException("row without a default: " + lines.get(i));
            }
            String key = cells.get(0).replace("`", "").strip();
            if (out.put(key, normalize(cells.get(1))) != null) {
                throw new IllegalArgumentException("key " + key + " twice");
            }
        }
        return out;
    }

    /** Backticks off, and a trailing remark in parentheses: {@code `[]` (nobody)} is {@code []}. */
    static String normalize(String cell) {
        String s = cell.replace("`", "").strip();
        if (s.endsWith(")") && s.contains(" (")) {
            s = s.substring(0, s.lastIndexOf(" (")).strip();
        }
        return s;
    }

    /** The cells of a table row; {@code \|} is a pipe inside a cell. */
    private static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        for (int i = 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length() && line.charAt(i + 1) == '|') {
                cell.append('|');
                i++;
            } else if (c == '|') {
                out.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        return out;
    }
}
