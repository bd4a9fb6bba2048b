package dev.loomgate.gateway.discovery;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.consul.KvEntry;
import dev.loomgate.gateway.http.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * How a routes document is laid out in Consul KV under a prefix (default {@code loomgate/}):
 * <pre>
 *   loomgate/config-version      the version; Flags 1 while a push is writing (nodes wait)
 *   loomgate/upstreams/&lt;name&gt;    one upstream, as YAML or JSON (an item of the file's upstreams list)
 *   loomgate/routes/&lt;id&gt;         one route (an item of the file's routes list); Flags = file position
 *   loomgate/defaults/&lt;key&gt;      a top-level default of the file ({@code default-filters}, {@code default-rate-limit})
 *   loomgate/status/&lt;node-id&gt;    written by each node: the version it applied or rejected, and why
 * </pre>
 * The entries are assembled into one routes document (the file schema) and parsed by
 * {@link RoutesParser}; errors are mapped back to the key they came from.
 */
public final class KvRoutesLayout {
    /** Flags of the version key while a push is in progress. */
    public static final long PENDING = 1;

    private final String prefix;
    private final long maxSize;

    public KvRoutesLayout(String prefix) {
        this(prefix, dev.loomgate.gateway.yaml.ConfigSize.DEFAULT_MAX);
    }

    /** @param maxSize limit on each KV value and on the assembled document, in raw bytes (limits.max-config-size) */
    public KvRoutesLayout(String prefix, long maxSize) {
        this.maxSize = maxSize;
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("prefix must end with '/': " + prefix);
        }
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    public String versionKey() {
        return prefix + "config-version";
    }

    public String routesPrefix() {
        return prefix + "routes/";
    }

    public String upstreamsPrefix() {
        return prefix + "upstreams/";
    }

    public String defaultsPrefix() {
        return prefix + "defaults/";
    }

    /** The routes file's top-level keys that are kept under {@link #defaultsPrefix()}, in document order. */
    static final List<String> DEFAULT_KEYS = List.of("default-filters", "default-rate-limit");

    public String statusPrefix() {
        return prefix + "status/";
    }

    public String statusKey(String nodeId) {
        return statusPrefix() + nodeId;
    }

    /** The entries that make up the config (version, defaults, routes, upstreams), sorted by key. */
    public List<KvEntry> configEntries(List<KvEntry> all) {
        return all.stream()
                .filter(e -> e.key().equals(versionKey()) || isItem(e.key(), routesPrefix())
                        || isItem(e.key(), upstreamsPrefix()) || isItem(e.key(), defaultsPrefix()))
                .sorted(Comparator.comparing(KvEntry::key))
                .toList();
    }

    private static boolean isItem(String key, String itemPrefix) {
        return key.startsWith(itemPrefix) && key.length() > itemPrefix.length() && !key.endsWith("/");
    }

    public Optional<KvEntry> versionEntry(List<KvEntry> entries) {
        return entries.stream().filter(e -> e.key().equals(versionKey())).findFirst();
    }

    /** True while a push holds the version key in its pending state. */
    public boolean pending(List<KvEntry> entries) {
        return versionEntry(entries).map(e -> e.flags() == PENDING).orElse(false);
    }

    /** Where one KV entry landed in the assembled text (1-based, inclusive). */
    public record Origin(String key, int firstLine, int lastLine) {
    }

    /** A KV value over the size limit (raw bytes). */
    public record Oversized(String key, long size, long modifyIndex) {
    }

    /**
     * A routes document in file syntax built from KV entries.
     *
     * @param oversized values left out because they exceed the size limit; parsing refuses the document then
     */
    public record Assembled(String text, List<Origin> origins, boolean empty, List<Oversized> oversized) {
        public Assembled {
            origins = List.copyOf(origins);
            oversized = List.copyOf(oversized);
        }

        public Assembled(String text, List<Origin> origins, boolean empty) {
            this(text, origins, empty, List.of());
        }
    }

    /** Builds the document text: version, defaults, upstreams by name, routes by (Flags, key). */
    public Assembled assemble(List<KvEntry> all) {
        List<KvEntry> entries = configEntries(all);
        StringBuilder sb = new StringBuilder();
        List<Origin> origins = new ArrayList<>();
        int[] line = {1};
        Optional<KvEntry> version = versionEntry(entries);
        version.ifPresent(v -> {
            sb.append("version: ").append(Json.quote(v.valueUtf8().strip())).append('\n');
            line[0]++;
        });
        List<KvEntry> upstreams = entries.stream().filter(e -> isItem(e.key(), upstreamsPrefix())).toList();
        List<KvEntry> routes = entries.stream().filter(e -> isItem(e.key(), routesPrefix()))
                .sorted(Comparator.<KvEntry>comparingLong(e -> e.flags()).thenComparing(KvEntry::key)).toList();
        List<Oversized> oversized = new ArrayList<>();
        // unknown names under defaults/ are kept as keys, so the parser names them (unknown key, with the KV key)
        entries.stream().filter(e -> isItem(e.key(), defaultsPrefix()))
                .forEach(e -> appendValue(sb, e.key().substring(defaultsPrefix().length()), e, origins, line, oversized));
        appendList(sb, "upstreams", upstreams, origins, line, oversized);
        appendList(sb, "routes", routes, origins, line, oversized);
        for (Oversized o : oversized) {
            // after every origin, so line numbers stay; a changed oversized value is a new text (not deduplicated)
            sb.append("# oversized ").append(o.key()).append(' ').append(o.size()).append(' ').append(o.modifyIndex())
                    .append('\n');
        }
        return new Assembled(sb.toString(), origins, upstreams.isEmpty() && routes.isEmpty(), oversized);
    }

    /** One top-level key whose value is the entry's (YAML or JSON), indented under it. */
    private void appendValue(StringBuilder sb, String name, KvEntry e, List<Origin> origins, int[] line,
                             List<Oversized> oversized) {
        if (e.value().length > maxSize) {
            oversized.add(new Oversized(e.key(), e.value().length, e.modifyIndex()));
            return;
        }
        sb.append(Json.quote(name)).append(":\n");
        line[0]++;
        String[] lines = e.valueUtf8().replace("\r\n", "\n").stripTrailing().split("\n", -1);
        int first = line[0];
        for (String l : lines) {
            sb.append("  ").append(l).append('\n');
            line[0]++;
        }
        origins.add(new Origin(e.key(), first, line[0] - 1));
    }

    private void appendList(StringBuilder sb, String name, List<KvEntry> items, List<Origin> origins, int[] line,
                            List<Oversized> oversized) {
        if (items.isEmpty()) {
            sb.append(name).append(": []\n");
            line[0]++;
            return;
        }
        sb.append(name).append(":\n");
        line[0]++;
        for (KvEntry e : items) {
            if (e.value().length > maxSize) {
                // counted in raw bytes before decoding or parsing; the value never enters the document
                oversized.add(new Oversized(e.key(), e.value().length, e.modifyIndex()));
                sb.append("  - {}\n");
                line[0]++;
                continue;
            }
            String[] lines = e.valueUtf8().replace("\r\n", "\n").stripTrailing().split("\n", -1);
            int first = line[0];
            for (int i = 0; i < lines.length; i++) {
                sb.append(i == 0 ? "  - " : "    ").append(lines[i]).append('\n');
                line[0]++;
            }
            if (lines.length == 1 && lines[0].isBlank()) {
                sb.setLength(sb.length() - 1);
                sb.append("{}\n");
            }
            origins.add(new Origin(e.key(), first, line[0] - 1));
        }
    }

    /** Parses assembled text; an error names the KV key (and the line within its value). */
    public RoutesDocument parse(Assembled a) throws ConfigException {
        if (!a.oversized().isEmpty()) {
            Oversized o = a.oversized().getFirst();
            dev.loomgate.gateway.yaml.ConfigSize.check(o.key(), o.size(), maxSize);
        }
        dev.loomgate.gateway.yaml.ConfigSize.check("consul-kv:" + prefix,
                a.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length, maxSize);
        try {
            return RoutesParser.parse(a.text(), "consul-kv:" + prefix);
        } catch (ConfigException e) {
            if (e.line().isPresent()) {
                int l = e.line().getAsInt();
                for (Origin o : a.origins()) {
                    if (l >= o.firstLine() && l <= o.lastLine()) {
                        throw new ConfigException(o.key(), l - o.firstLine() + 1, e.field(), e.reason(), e);
                    }
                }
            }
            throw e;
        }
    }

    private static final java.util.regex.Pattern CORE_BOOL = java.util.regex.Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$");
    private static final java.util.regex.Pattern CORE_INT = java.util.regex.Pattern.compile("^[-+]?[0-9]+$");
    private static final java.util.regex.Pattern CORE_FLOAT =
            java.util.regex.Pattern.compile("^[-+]?(?:\\.[0-9]+|[0-9]+\\.[0-9]*)(?:[eE][-+]?[0-9]+)?$");

    /** One KV value to write: the item as JSON and its Flags. */
    public record Item(String json, long flags) {
    }

    /**
     * Splits a routes file (already validated) into KV items keyed by their full key: one per
     * top-level default, upstream and route, as JSON; routes carry their file position in Flags.
     */
    public Map<String, Item> split(String yamlText) {
        LoaderOptions options = new LoaderOptions();
        // YAML 1.2 core types only: YAML 1.1 would turn `on:` (retries) or `off` (rate-limit) into
        // booleans, and the value written to KV would no longer be the route the parser validated.
        Resolver textOnly = new Resolver() {
            @Override
            protected void addImplicitResolvers() {
                addImplicitResolver(Tag.BOOL, CORE_BOOL, "tfTF");
                addImplicitResolver(Tag.INT, CORE_INT, "-+0123456789");
                addImplicitResolver(Tag.FLOAT, CORE_FLOAT, "-+.0123456789");
                addImplicitResolver(Tag.NULL, NULL, "~nN\0");
                addImplicitResolver(Tag.NULL, EMPTY, null);
            }
        };
        Object root = new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()), new DumperOptions(),
                options, textOnly).load(yamlText);
        Map<String, Item> out = new LinkedHashMap<>();
        if (!(root instanceof Map<?, ?> top)) {
            return out;
        }
        for (String key : DEFAULT_KEYS) {
            if (top.get(key) != null) {
                out.put(defaultsPrefix() + key, new Item(json(top.get(key)), 0));
            }
        }
        if (top.get("upstreams") instanceof List<?> ups) {
            for (Object u : ups) {
                if (u instanceof Map<?, ?> m) {
                    out.put(upstreamsPrefix() + m.get("name"), new Item(json(m), 0));
                }
            }
        }
        if (top.get("routes") instanceof List<?> rs) {
            long position = 0;
            for (Object r : rs) {
                if (r instanceof Map<?, ?> m) {
                    out.put(routesPrefix() + m.get("id"), new Item(json(m), position++));
                }
            }
        }
        return out;
    }

    private static String json(Object value) {
        StringWriter w = new StringWriter();
        try (var writer = jakarta.json.Json.createWriter(w)) {
            writer.write(toJson(value));
        }
        return w.toString();
    }

    private static JsonValue toJson(Object v) {
        if (v == null) {
            return JsonValue.NULL;
        }
        if (v instanceof Map<?, ?> m) {
            JsonObjectBuilder b = jakarta.json.Json.createObjectBuilder();
            m.forEach((k, val) -> b.add(String.valueOf(k), toJson(val)));
            return b.build();
        }
        if (v instanceof List<?> l) {
            JsonArrayBuilder b = jakarta.json.Json.createArrayBuilder();
            l.forEach(x -> b.add(toJson(x)));
            return b.build();
        }
        if (v instanceof Boolean bool) {
            return bool ? JsonValue.TRUE : JsonValue.FALSE;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger) {
            return jakarta.json.Json.createValue(new java.math.BigDecimal(v.toString()));
        }
        if (v instanceof Double || v instanceof Float) {
            return jakarta.json.Json.createValue(((Number) v).doubleValue());
        }
        return jakarta.json.Json.createValue(String.valueOf(v));
    }
}
