package dev.loomgate.gateway.upstream;

import java.util.List;
import java.util.Objects;

/**
 * An upstream whose endpoints come from Consul's {@code /v1/health/service/<service>}: instances
 * carrying all {@code tags}, and only passing ones when {@code passingOnly}.
 */
public record ConsulService(String service, List<String> tags, boolean passingOnly) {
    public ConsulService {
        Objects.requireNonNull(service, "service");
        tags = List.copyOf(tags);
    }

    @Override
    public String toString() {
        return service + (tags.isEmpty() ? "" : tags.toString()) + (passingOnly ? " passing" : "");
    }
}
