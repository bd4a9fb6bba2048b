package dev.loomgate.gateway.upstream;

import java.util.Arrays;
import java.util.Optional;

/** Load-balancing strategies, by their config name. */
public enum LoadBalancerKind {
    ROUND_ROBIN("round-robin"),
    LEAST_REQUEST("least-request"),
    CONSISTENT_HASH("consistent-hash"),
    PEAK_EWMA("peak-ewma");

    private final String configName;

    LoadBalancerKind(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static Optional<LoadBalancerKind> fromConfig(String name) {
        return Arrays.stream(values()).filter(k -> k.configName.equals(name)).findFirst();
    }
}
