package dev.loomgate.gateway.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.loomgate.gateway.consul.ConsulSettings;

/**
 * The node's {@code consul:} block (docs/CONSUL.md). When present, upstreams can use
 * {@code consul:} sources, routes come from Consul KV (unless {@code routes: file}), the node
 * registers itself and keeps a last-known-good snapshot.
 *
 * @param addresses        agents to try in order
 * @param token            ACL token (config, else env {@code LOOMGATE_CONSUL_TOKEN})
 * @param caFile           CA bundle for https agents
 * @param kvPrefix         where routes live, ends with '/'
 * @param routesFromKv     false: routes from the routes file, only endpoints from Consul
 * @param snapshotFile     last-known-good snapshot (routes + discovered endpoints)
 * @param register         register this node as service {@code loomgate}
 * @param advertiseAddress address put in the registration; empty: the listen host (or the
 *                         machine's address when listening on a wildcard)
 * @param checkInterval    interval of the readiness check Consul runs
 * @param deregisterAfter  DeregisterCriticalServiceAfter of that check (Consul's minimum is 1m)
 * @param panicThreshold   0..1: a new endpoint list smaller than this share of the previous one is
 *                         refused (an empty list after a non-empty one is always refused)
 * @param freeze           start frozen: keep serving the snapshot, apply no Consul change
 * @param watchWait        {@code wait} of the blocking queries
 */
public record ConsulConfig(List<URI> addresses, Optional<String> token, Optional<Path> caFile, String kvPrefix,
                           boolean routesFromKv, Path snapshotFile, boolean register, Optional<String> advertiseAddress,
                           Duration checkInterval, Duration deregisterAfter, double panicThreshold, boolean freeze,
                           Duration watchWait) {
    public static final String TOKEN_ENV = "LOOMGATE_CONSUL_TOKEN";

    public ConsulConfig {
        addresses = List.copyOf(addresses);
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(caFile, "caFile");
        Objects.requireNonNull(kvPrefix, "kvPrefix");
        Objects.requireNonNull(snapshotFile, "snapshotFile");
        Objects.requireNonNull(advertiseAddress, "advertiseAddress");
        Objects.requireNonNull(checkInterval, "checkInterval");
        Objects.requireNonNull(deregisterAfter, "deregisterAfter");
        Objects.requireNonNull(watchWait, "watchWait");
        if (!kvPrefix.endsWith("/") || kvPrefix.startsWith("/")) {
            throw new IllegalArgumentException("kv-prefix must end with '/' and not start with '/': '" + kvPrefix + "'");
        }
        if (panicThreshold < 0 || panicThreshold > 1) {
            throw new IllegalArgumentException("panic-threshold must be between 0 and 1, got " + panicThreshold);
        }
    }

    /** Defaults for one agent: KV routes under {@code loomgate/}, registration on, snapshot in the working directory. */
    public static ConsulConfig defaults(String address) {
        return new ConsulConfig(List.of(ConsulSettings.address(address)), envToken(), Optional.empty(), "loomgate/",
                true, Path.of("loomgate-snapshot.json"), true, Optional.empty(), Duration.ofSeconds(2),
                Duration.ofMinutes(1), 0.0, false, Duration.ofSeconds(60));
    }

    static Optional<String> envToken() {
        String t = System.getenv(TOKEN_ENV);
        return t == null || t.isBlank() ? Optional.empty() : Optional.of(t.trim());
    }

    public ConsulSettings settings() {
        return new ConsulSettings(addresses, token, caFile, Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    public ConsulConfig withRoutesFromKv(boolean v) {
        return new ConsulConfig(addresses, token, caFile, kvPrefix, v, snapshotFile, register, advertiseAddress,
                checkInterval, deregisterAfter, panicThreshold, freeze, watchWait);
    }

    public ConsulConfig withKvPrefix(String v) {
        return new ConsulConfig(addresses, token, caFile, v, routesFromKv, snapshotFile, register, advertiseAddress,
                checkInterval, deregisterAfter, panicThreshold, freeze, watchWait);
    }

    public ConsulConfig withSnapshotFile(Path v) {
        return new ConsulConfig(addresses, token, caFile, kvPrefix, routesFromKv, v, register, advertiseAddress,
                checkInterval, deregisterAfter, panicThreshold, freeze, watchWait);
    }

    public ConsulConfig withRegister(boolean v) {
        return new ConsulConfig(addresses, token, caFile, kvPrefix, routesFromKv, snapshotFile, v, advertiseAddress,
                checkInterval, deregisterAfter, panicThreshold, freeze, watchWait);
    }

    public ConsulConfig withCheckInterval(Duration v) {
        return new ConsulConfig(addresses, token, caFile, kvPrefix, routesFromKv, snapshotFile, register,
                advertiseAddress, v, deregisterAfter, panicThreshold, freeze, watchWait);
    }

    public ConsulConfig withPanicThreshold(double v) {
        return new ConsulConfig(addresses, token, caFile, kvPrefix, routesFromKv, snapshotFile, register,
                advertiseAddress, checkInterval, deregisterAfter, v, freeze, watchWait);
    }

    public ConsulConfig withFreeze(boolean v) {
        return new ConsulConfig(addresses, token, caFile, kvPrefix, routesFromKv, snapshotFile, register,
                advertiseAddress, checkInterval, deregisterAfter, panicThreshold, v, watchWait);
    }

    public ConsulConfig withWatchWait(Duration v) {
        return new ConsulConfig(addresses, token, caFile, kvPrefix, routesFromKv, snapshotFile, register,
                advertiseAddress, checkInterval, deregisterAfter, panicThreshold, freeze, v);
    }

    public ConsulConfig withToken(Optional<String> v) {
        return new ConsulConfig(addresses, v, caFile, kvPrefix, routesFromKv, snapshotFile, register,
                advertiseAddress, checkInterval, deregisterAfter, panicThreshold, freeze, watchWait);
    }
}
