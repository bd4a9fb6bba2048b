package dev.loomgate.gateway.consul;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of {@code /v1/health/service}: where to dial and its aggregated health. Equality
 * ignores check outputs on purpose, so a watch wakes the gateway only for changes that matter.
 *
 * @param node    Consul node name (with {@code serviceId} the instance identity, SPEC H-6)
 * @param address Service.Address, or Node.Address when that is empty (SPEC H-1)
 * @param status  the worst status of all its checks: passing, warning or critical
 */
public record ServiceInstance(String node, String serviceId, String service, String address, int port,
                              List<String> tags, Map<String, String> meta, String status) {
    public ServiceInstance {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(serviceId, "serviceId");
        tags = List.copyOf(tags);
        meta = Map.copyOf(meta);
    }

    public boolean passing() {
        return "passing".equals(status);
    }
}
