package dev.loomgate.gateway.yaml;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.units.Units;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML node with its field path and line, so every accessor can fail with a
 * {@link ConfigException} that says where. Works on snakeyaml's composed node graph
 * (not on constructed Java objects) because only nodes keep their {@link Mark}.
 */
public final class YamlValue {
    private final String source;
    private final String path;
    private final Node node;

    private YamlValue(String source, String path, Node node) {
        this.source = source;
        this.path = path;
        this.node = node;
    }

    /** Parses a document; empty when the text holds no document at all. */
    public static Optional<YamlValue> parseDocument(String text, String source) throws ConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // reported by us, with the field path
        // a small document must not blow up: aliases, nesting and length are bounded (sizes are checked before)
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setCodePointLimit(MAX_CODE_POINTS);
        options.setAllowRecursiveKeys(false);
        Node root;
        try {
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            int line = mark == null ? 0 : mark.getLine() + 1;
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() != null ? e.getContext() + ": " : "";
            throw new ConfigException(source, line, "", "invalid YAML: " + context + problem, e);
        } catch (YAMLException e) {
            throw new ConfigException(source, 0, "", "invalid YAML: " + e.getMessage(), e);
        }
        if (root == null || isNull(root)) {
            return Optional.empty();
        }
        if (expandedNodes(root, MAX_EXPANDED_NODES) > MAX_EXPANDED_NODES) {
            throw new ConfigException(source, 0, "", "document expands to more than " + MAX_EXPANDED_NODES
                    + " YAML nodes (aliases repeating aliases?)");
        }
        return Optional.of(new YamlValue(source, "", root));
    }

    static final int MAX_ALIASES = 50;
    static final int MAX_NESTING = 32;
    /** Backstop behind the byte limit (limits.max-config-size tops out at 64 MiB). */
    public static final int MAX_CODE_POINTS = 64 * 1024 * 1024;
    /**
     * Aliases are shared nodes after compose, but our walk visits each use: 50 aliases that each repeat
     * the previous one would be 2^25 visits. Counting with aliases expanded bounds that work.
     */
    static final int MAX_EXPANDED_NODES = 1_000_000;

    /** Nodes as the parser walks them (aliases expanded), stopping past {@code budget}; depth is bounded above. */
    private static long expandedNodes(Node node, long budget) {
        long count = 1;
        if (node instanceof SequenceNode seq) {
            for (Node child : seq.getValue()) {
                count += expandedNodes(child, budget - count);
                if (count > budget) {
                    return count;
                }
            }
        } else if (node instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                count += expandedNodes(t.getKeyNode(), budget - count) + expandedNodes(t.getValueNode(), budget - count);
                if (count > budget) {
                    return count;
                }
            }
        }
        return count;
    }

    public String source() {
        return source;
    }

    public String path() {
        return path;
    }

    public int line() {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    public ConfigException error(String reason) {
        return new ConfigException(source, line(), path, reason);
    }

    public ConfigException error(String reason, Throwable cause) {
        return new ConfigException(source, line(), path, reason, cause);
    }

    public boolean isMapping() {
        return node instanceof MappingNode;
    }

    public boolean isSequence() {
        return node instanceof SequenceNode;
    }

    public boolean isScalar() {
        return node instanceof ScalarNode && !isNull(node);
    }

    /** The entries of a mapping in document order; keys must be strings and unique. */
    public Map<String, YamlValue> mapping() throws ConfigException {
        if (!(node instanceof MappingNode m)) {
            throw error("must be a mapping, got " + kind());
        }
        Map<String, YamlValue> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            Node k = t.getKeyNode();
            if (!(k instanceof ScalarNode ks) || isNull(k)) {
                int line = k.getStartMark() == null ? 0 : k.getStartMark().getLine() + 1;
                throw new ConfigException(source, line, path, "keys must be strings");
            }
            String key = ks.getValue();
            YamlValue v = new YamlValue(source, child(key), t.getValueNode());
            if (out.putIfAbsent(key, v) != null) {
                throw new ConfigException(source, ks.getStartMark().getLine() + 1, child(key), "duplicate key");
            }
        }
        return out;
    }

    /** Like {@link #mapping()}, but any key outside {@code allowed} is an error at that key's line. */
    public Fields fields(Set<String> allowed) throws ConfigException {
        Map<String, YamlValue> m = mapping();
        for (Map.Entry<String, YamlValue> e : m.entrySet()) {
            if (!allowed.contains(e.getKey())) {
                throw new ConfigException(source, keyLine(e.getKey()), e.getValue().path,
                        "unknown key (allowed: " + String.join(", ", allowed) + ")");
            }
        }
        return new Fields(this, m);
    }

    public List<YamlValue> sequence() throws ConfigException {
        if (!(node instanceof SequenceNode s)) {
            throw error("must be a list, got " + kind());
        }
        List<YamlValue> out = new ArrayList<>(s.getValue().size());
        int i = 0;
        for (Node n : s.getValue()) {
            out.add(new YamlValue(source, path + "[" + i++ + "]", n));
        }
        return out;
    }

    /** Any scalar as text (YAML numbers and booleans included, as written). */
    public String string() throws ConfigException {
        if (!isScalar()) {
            throw error("must be a string, got " + kind());
        }
        return ((ScalarNode) node).getValue();
    }

    /** A string that is not blank. */
    public String nonBlankString() throws ConfigException {
        String s = string();
        if (s.isBlank()) {
            throw error("must not be empty");
        }
        return s;
    }

    public long longValue() throws ConfigException {
        if (!isScalar()) {
            throw error("must be an integer, got " + kind());
        }
        String s = ((ScalarNode) node).getValue().trim().replace("_", "");
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw error("must be an integer, got '" + ((ScalarNode) node).getValue() + "'");
        }
    }

    public int intIn(int min, int max) throws ConfigException {
        long v = longValue();
        if (v < min || v > max) {
            throw error("must be " + min + ".." + max + ", got " + v);
        }
        return (int) v;
    }

    /** A duration in the one grammar ({@link Units#duration}: {@code 250ms}, {@code 5s}, {@code 1m}, {@code 1h}). */
    public Duration duration() throws ConfigException {
        try {
            return Units.duration(string());
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    /** A byte size in the one grammar ({@link Units#size}: {@code 64KiB}, {@code 100MB}) between {@code min} and {@code max}. */
    public long sizeIn(long min, long max) throws ConfigException {
        long n;
        try {
            n = Units.size(string());
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
        if (n < min || n > max) {
            throw error("must be between " + min + " and " + max + " bytes, got " + n);
        }
        return n;
    }

    public boolean bool() throws ConfigException {
        if (isScalar() && Tag.BOOL.equals(node.getTag())) {
            String s = ((ScalarNode) node).getValue().toLowerCase(java.util.Locale.ROOT);
            return s.equals("true") || s.equals("yes") || s.equals("on") || s.equals("y");
        }
        throw error("must be true or false, got " + (isScalar() ? "'" + ((ScalarNode) node).getValue() + "'" : kind()));
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private int keyLine(String key) {
        for (NodeTuple t : ((MappingNode) node).getValue()) {
            if (t.getKeyNode() instanceof ScalarNode ks && ks.getValue().equals(key)) {
                return ks.getStartMark().getLine() + 1;
            }
        }
        return line();
    }

    private String kind() {
        if (isNull(node)) {
            return "nothing";
        }
        return switch (node) {
            case MappingNode m -> "a mapping";
            case SequenceNode s -> "a list";
            default -> "'" + ((ScalarNode) node).getValue() + "'";
        };
    }

    private static boolean isNull(Node n) {
        return n instanceof ScalarNode && Tag.NULL.equals(n.getTag());
    }

    /** The checked fields of one mapping; null values count as absent. */
    public static final class Fields {
        private final YamlValue owner;
        private final Map<String, YamlValue> values;

        private Fields(YamlValue owner, Map<String, YamlValue> values) {
            this.owner = owner;
            this.values = values;
        }

        public YamlValue owner() {
            return owner;
        }

        public Optional<YamlValue> optional(String key) {
            YamlValue v = values.get(key);
            return v == null || isNull(v.node) ? Optional.empty() : Optional.of(v);
        }

        public YamlValue required(String key) throws ConfigException {
            YamlValue v = values.get(key);
            if (v == null) {
                throw new ConfigException(owner.source, owner.line(), owner.child(key), "is required");
            }
            if (isNull(v.node)) {
                throw v.error("is required");
            }
            return v;
        }

        public boolean has(String key) {
            return optional(key).isPresent();
        }

        /** The duration at {@code key}, {@code dflt} when absent; outside [min, max] is an error naming both. */
        public Duration duration(String key, Duration dflt, Duration min, Duration max) throws ConfigException {
            if (!has(key)) {
                return dflt;
            }
            YamlValue v = required(key);
            Duration d = v.duration();
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw v.error("must be between " + Units.format(min) + " and " + Units.format(max));
            }
            return d;
        }
    }
}
