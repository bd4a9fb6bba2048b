package dev.loomgate.chaos.monitoring;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.loomgate.chaos.cluster.ClusterSpec;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/** monitoring/grafana/loomgate-cluster.json read the way the tests need it: panels, their queries, the metrics used. */
record GrafanaDashboard(JsonObject json, List<Panel> panels) {
    static final Path FILE = Path.of("monitoring", "grafana", "loomgate-cluster.json");

    /** A panel (or row) with its grid position and the PromQL of each of its targets. */
    record Panel(int id, String type, String title, int x, int y, int w, int h, JsonObject json, List<Query> queries) {
        boolean row() {
            return type.equals("row");
        }
    }

    record Query(String refId, String expr) {
    }

    static GrafanaDashboard load() throws IOException {
        Path file = ClusterSpec.findRepoRoot().resolve(FILE);
        JsonObject json;
        try (var reader = Json.createReader(new StringReader(Files.readString(file)))) {
            json = reader.readObject();
        }
        List<Panel> panels = new ArrayList<>();
        for (JsonValue v : json.getJsonArray("panels")) {
            JsonObject p = v.asJsonObject();
            JsonObject g = p.getJsonObject("gridPos");
            List<Query> queries = new ArrayList<>();
            if (p.containsKey("targets")) {
                for (JsonValue t : p.getJsonArray("targets")) {
                    JsonObject target = t.asJsonObject();
                    queries.add(new Query(target.getString("refId", ""), target.getString("expr", "")));
                }
            }
            panels.add(new Panel(p.getInt("id", -1), p.getString("type", ""), p.getString("title", ""), g.getInt("x"),
                    g.getInt("y"), g.getInt("w"), g.getInt("h"), p, List.copyOf(queries)));
        }
        return new GrafanaDashboard(json, List.copyOf(panels));
    }

    List<Panel> graphPanels() {
        return panels.stream().filter(p -> !p.row()).toList();
    }

    /** The template variable queries (label_values(...)) by variable name. */
    List<JsonObject> variables() {
        return json.getJsonObject("templating").getJsonArray("list").getValuesAs(JsonObject.class);
    }

    /**
     * The query as Grafana sends it with every variable at "All" ({@code allValue} .*) and {@code $__rate_interval}
     * replaced; {@code rateInterval} is what Grafana would compute (at least 4 scrape intervals).
     */
    static String substitute(String expr, String rateInterval) {
        return expr.replace("$__rate_interval", rateInterval).replace("$node", ".*").replace("$route", ".*");
    }

    private static final Pattern STRIP = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|\\{[^}]*}|\\[[^]]*]"
            + "|\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(?!\\s*\\()");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "le", "inf", "nan");

    /** Every metric name a PromQL expression selects (functions, label matchers, keywords and numbers left out). */
    static Set<String> metricNames(String expr) {
        String stripped = STRIP.matcher(expr).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENT.matcher(stripped);
        while (m.find()) {
            String name = m.group();
            boolean partOfNumber = m.start() > 0 && Character.isDigit(stripped.charAt(m.start() - 1));
            // IDENT's lookahead may cut a function name short ("su" of "sum("): only whole words count
            boolean whole = m.end() == stripped.length() || !Character.isLetterOrDigit(stripped.charAt(m.end()))
                    && stripped.charAt(m.end()) != '_';
            if (whole && !partOfNumber && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                names.add(name);
            }
        }
        return names;
    }

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\)");

    /** The series selector of {@code label_values(selector, label)}: the first argument. */
    static String labelValuesSelector(String definition) {
        Matcher m = LABEL_VALUES.matcher(definition.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not label_values(selector, label): " + definition);
        }
        return m.group(1);
    }

    /** The label of {@code label_values(selector, label)}. */
    static String labelValuesLabel(String definition) {
        Matcher m = LABEL_VALUES.matcher(definition.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not label_values(selector, label): " + definition);
        }
        return m.group(2);
    }

    /** Every metric any panel query or variable query uses. */
    Map<String, Set<String>> metricsByPanel() {
        Map<String, Set<String>> out = new java.util.LinkedHashMap<>();
        for (Panel p : graphPanels()) {
            for (Query q : p.queries()) {
                out.computeIfAbsent(p.title(), k -> new TreeSet<>()).addAll(metricNames(q.expr()));
            }
        }
        for (JsonObject v : variables()) {
            if (v.getString("type").equals("query")) {
                out.computeIfAbsent("variable " + v.getString("name"), k -> new TreeSet<>())
                        .addAll(metricNames(labelValuesSelector(v.getString("definition"))));
            }
        }
        return out;
    }
}
