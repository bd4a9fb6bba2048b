package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;

/** {@code cluster.json} as rendered by ansible/render.yml: every host's address, namespace, groups, dir, ports. */
record ClusterLayout(Path renderDir, Map<String, Host> hosts) {
    record Host(String name, String address, Optional<String> netns, List<String> groups, Path dir, JsonObject json) {
        boolean in(String group) {
            return groups.contains(group);
        }

        int port(String section, String key) {
            return json.getJsonObject(section).getInt(key);
        }

        String string(String section, String key) {
            return json.getJsonObject(section).getString(key);
        }
    }

    static ClusterLayout read(Path renderDir) throws IOException {
        try (Reader r = Files.newBufferedReader(renderDir.resolve("cluster.json"))) {
            JsonObject root = Json.createReader(r).readObject();
            Map<String, Host> hosts = new LinkedHashMap<>();
            for (var e : root.getJsonObject("hosts").entrySet()) {
                JsonObject h = e.getValue().asJsonObject();
                List<String> groups = h.getJsonArray("groups").getValuesAs(JsonString.class).stream()
                        .map(JsonString::getString).toList();
                String ns = h.getString("netns", "");
                hosts.put(e.getKey(), new Host(e.getKey(), h.getString("address"),
                        ns.isEmpty() ? Optional.empty() : Optional.of(ns), groups, Path.of(h.getString("dir")), h));
            }
            return new ClusterLayout(renderDir, hosts);
        }
    }

    List<Host> group(String group) {
        List<Host> out = new ArrayList<>();
        hosts.values().stream().filter(h -> h.in(group)).sorted(java.util.Comparator.comparing(h -> sortKey(h.name())))
                .forEach(out::add);
        return out;
    }

    Host host(String name) {
        Host h = hosts.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no host '" + name + "' in " + renderDir.resolve("cluster.json"));
        }
        return h;
    }

    /** gw10 after gw9. */
    private static String sortKey(String name) {
        return name.replaceAll("(\\d+)$", "") + String.format("%05d", name.matches(".*\\d+$")
                ? Integer.parseInt(name.replaceAll("^.*?(\\d+)$", "$1")) : 0);
    }
}
