package dev.loomgate.gateway.consul;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code PUT /v1/agent/service/register} gets (sent as CamelCase JSON, SPEC A-1).
 *
 * @param address empty: Consul uses the node's address
 */
public record ServiceRegistration(String id, String name, String address, int port, List<String> tags,
                                  Map<String, String> meta, Optional<HttpCheck> check) {
    public ServiceRegistration {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        tags = List.copyOf(tags);
        meta = Map.copyOf(meta);
        Objects.requireNonNull(check, "check");
    }

    /** An HTTP check the agent runs; {@code CheckID} is always set explicitly (SPEC A-4). */
    public record HttpCheck(String checkId, String url, Duration interval, Duration timeout,
                            Duration deregisterCriticalAfter) {
        public HttpCheck {
            Objects.requireNonNull(checkId, "checkId");
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(deregisterCriticalAfter, "deregisterCriticalAfter");
        }
    }
}
