package dev.loomgate.gateway.cache;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a primary key's stored responses vary on: the request header names of their {@code Vary}, and a nonce that
 * is part of every variant's key, so a purge (which deletes the spec) orphans every old variant at once.
 */
public record VarySpec(String nonce, List<String> names, long lastUsableMillis) {
    public VarySpec {
        names = List.copyOf(names);
    }

    public byte[] encode() {
        return (nonce + "\n" + lastUsableMillis + "\n" + String.join(",", names)).getBytes(StandardCharsets.UTF_8);
    }

    public static Optional<VarySpec> decode(byte[] data) {
        String s = new String(data, StandardCharsets.UTF_8);
        String[] parts = s.split("\n", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[0].length() > 64) {
            return Optional.empty();
        }
        try {
            long until = Long.parseLong(parts[1]);
            List<String> names = new ArrayList<>();
            for (String n : parts[2].split(",")) {
                if (!n.isEmpty()) {
                    names.add(n);
                }
            }
            return Optional.of(new VarySpec(parts[0], names, until));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
