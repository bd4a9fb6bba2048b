package dev.loomgate.consul.standin.store;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A check's definition (SPEC A-2), validated; durations are ZERO when not set. */
public record CheckDefinition(String checkId, String name, String notes, String serviceId, String type,
                              String http, String method, Map<String, List<String>> header, String body,
                              boolean tlsSkipVerify, String tlsServerName, boolean disableRedirects, String tcp,
                              Duration ttl, Duration interval, Duration timeout,
                              Duration deregisterCriticalServiceAfter, int successBeforePassing,
                              int failuresBeforeWarning, int failuresBeforeCritical) {
    public CheckDefinition {
        header = Map.copyOf(header);
    }

    public boolean isTtl() {
        return type.equals("ttl");
    }
}
