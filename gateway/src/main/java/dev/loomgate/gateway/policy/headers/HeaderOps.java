package dev.loomgate.gateway.policy.headers;

import dev.loomgate.gateway.http.MutableHeaders;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Header changes a route makes: remove first, then set (replace), then add (append).
 * Maps keep their configured order.
 */
public record HeaderOps(Map<String, String> set, Map<String, String> add, List<String> remove) {
    private static final HeaderOps NONE = new HeaderOps(Map.of(), Map.of(), List.of());

    public HeaderOps {
        set = Collections.unmodifiableMap(new LinkedHashMap<>(set));
        add = Collections.unmodifiableMap(new LinkedHashMap<>(add));
        remove = List.copyOf(remove);
    }

    public static HeaderOps none() {
        return NONE;
    }

    public boolean isEmpty() {
        return set.isEmpty() && add.isEmpty() && remove.isEmpty();
    }

    /** Applies the changes in the order remove, set, add. */
    public void applyTo(MutableHeaders headers) {
        for (String name : remove) {
            headers.remove(name);
        }
        for (Map.Entry<String, String> e : set.entrySet()) {
            headers.set(e.getKey(), e.getValue());
        }
        for (Map.Entry<String, String> e : add.entrySet()) {
            headers.add(e.getKey(), e.getValue());
        }
    }
}
