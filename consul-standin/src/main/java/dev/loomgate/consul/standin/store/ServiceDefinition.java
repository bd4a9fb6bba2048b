package dev.loomgate.consul.standin.store;

import java.util.List;
import java.util.Map;

/** A service instance as registered with the agent (SPEC A-1), already validated and defaulted. */
public record ServiceDefinition(String id, String name, List<String> tags, String address, int port,
                                Map<String, String> meta, Map<String, TaggedAddress> taggedAddresses,
                                int weightPassing, int weightWarning, boolean enableTagOverride, String kind) {
    public ServiceDefinition {
        tags = List.copyOf(tags);
        meta = Map.copyOf(meta);
        taggedAddresses = Map.copyOf(taggedAddresses);
    }

    /** A service tagged address, marshalled as {@code {"Address","Port"}}. */
    public record TaggedAddress(String address, int port) {
    }
}
