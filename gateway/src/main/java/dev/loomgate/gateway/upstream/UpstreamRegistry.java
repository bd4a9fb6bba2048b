package dev.loomgate.gateway.upstream;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The upstreams of the current config version. Each {@link #apply} builds a new immutable
 * snapshot and swaps it in atomically; readers ({@link #upstream}) never lock.
 *
 * <p>Live state survives reloads: an endpoint that stays in the same upstream with the same
 * {@link Endpoint} (host, port and weight) keeps its {@link UpstreamHost} object, so its
 * in-flight count (and later health state) carries over. An upstream whose definition did not
 * change is kept as the same {@link Upstream} object, balancer state included.
 */
public final class UpstreamRegistry {
    private final AtomicReference<Map<String, Upstream>> snapshot = new AtomicReference<>(Map.of());
    // Serialises apply() so two concurrent reloads cannot both build on the same old snapshot.
    private final ReentrantLock applyLock = new ReentrantLock();

    /**
     * Replaces all upstreams with {@code defs}.
     *
     * @return the new snapshot, by name (immutable)
     * @throws IllegalArgumentException when two upstreams share a name or an upstream lists the
     *                                  same {@code host:port} twice; the old snapshot stays then
     */
    public Map<String, Upstream> apply(List<UpstreamDefinition> defs) {
        applyLock.lock();
        try {
            Map<String, Upstream> old = snapshot.get();
            Map<String, Upstream> next = new LinkedHashMap<>();
            for (UpstreamDefinition def : defs) {
                if (next.containsKey(def.name())) {
                    throw new IllegalArgumentException("upstream '" + def.name() + "' is defined twice");
                }
                Upstream previous = old.get(def.name());
                next.put(def.name(), previous == null ? build(def, List.of()) : rebuild(def, previous));
            }
            Map<String, Upstream> frozen = Map.copyOf(next);
            snapshot.set(frozen);
            return frozen;
        } finally {
            applyLock.unlock();
        }
    }

    /** The same upstream when its definition is unchanged; else a new one that keeps the hosts of kept endpoints. */
    private static Upstream rebuild(UpstreamDefinition def, Upstream previous) {
        if (previous.definition().equals(def)) {
            checkEndpoints(def);
            return previous;
        }
        return build(def, previous.hosts());
    }

    private static void checkEndpoints(UpstreamDefinition def) {
        Set<String> ids = new HashSet<>();
        for (Endpoint e : def.endpoints()) {
            if (!ids.add(e.id())) {
                throw new IllegalArgumentException("upstream '" + def.name() + "': endpoint " + e.id()
                        + " is listed twice");
            }
        }
    }

    /** @param reusableHosts hosts of the previous version, whose live state is kept for endpoints that stay */
    private static Upstream build(UpstreamDefinition def, List<UpstreamHost> reusableHosts) {
        checkEndpoints(def);
        Map<Endpoint, UpstreamHost> reusable = new HashMap<>();
        reusableHosts.forEach(h -> reusable.put(h.endpoint(), h));
        List<UpstreamHost> hosts = new ArrayList<>(def.endpoints().size());
        for (Endpoint e : def.endpoints()) {
            UpstreamHost kept = reusable.get(e);
            hosts.add(kept != null ? kept : new UpstreamHost(e));
        }
        return new Upstream(def, hosts);
    }

    public Optional<Upstream> upstream(String name) {
        return Optional.ofNullable(snapshot.get().get(name));
    }

    /** The current snapshot, by name (immutable). */
    public Map<String, Upstream> upstreams() {
        return snapshot.get();
    }
}
