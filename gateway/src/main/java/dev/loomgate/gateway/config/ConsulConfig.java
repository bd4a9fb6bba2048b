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

    public static final String DEFAULT_KV_PREFIX = "loomgate/";
    public static final boolean DEFAULT_ROUTES_FROM_KV = true;
    public static final Path DEFAULT_SNAPSHOT_FILE = Path.of("loomgate-snapshot.json");
    public static final boolean DEFAULT_REGISTER = true;
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(2);
    /** Consul's minimum for DeregisterCriticalServiceAfter. */
    public static final Duration DEFAULT_DEREGISTER_AFTER = Duration.ofMinutes(1);
    public static final double DEFAULT_PANIC_THRESHOLD = 0.0;
    public static final boolean DEFAULT_FREEZE = false;
    public static final Duration DEFAULT_WATCH_WAIT = Duration.ofSeconds(60);

    /** Defaults for one agent: KV routes under {@code loomgate/}, registration on, snapshot in the working directory. */
    public static ConsulConfig defaults(String address) {
        return builder().addresses(List.of(ConsulSettings.address(address))).build();
    }

    /** A builder with the defaults; the token defaults to env {@value #TOKEN_ENV}; addresses are required. */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    static Optional<String> envToken() {
        String t = System.getenv(TOKEN_ENV);
        return t == null || t.isBlank() ? Optional.empty() : Optional.of(t.trim());
    }

    public ConsulSettings settings() {
        ConsulSettings.Builder b = ConsulSettings.builder().addresses(addresses);
        token.ifPresent(b::token);
        caFile.ifPresent(b::caFile);
        return b.build();
    }

    /** Builds a {@link ConsulConfig}. */
    public static final class Builder {
        private List<URI> addresses = List.of();
        private Optional<String> token = envToken();
        private Optional<Path> caFile = Optional.empty();
        private String kvPrefix = DEFAULT_KV_PREFIX;
        private boolean routesFromKv = DEFAULT_ROUTES_FROM_KV;
        private Path snapshotFile = DEFAULT_SNAPSHOT_FILE;
        private boolean register = DEFAULT_REGISTER;
        private Optional<String> advertiseAddress = Optional.empty();
        private Duration checkInterval = DEFAULT_CHECK_INTERVAL;
        private Duration deregisterAfter = DEFAULT_DEREGISTER_AFTER;
        private double panicThreshold = DEFAULT_PANIC_THRESHOLD;
        private boolean freeze = DEFAULT_FREEZE;
        private Duration watchWait = DEFAULT_WATCH_WAIT;

        private Builder() {
        }

        private Builder(ConsulConfig c) {
            addresses = c.addresses;
            token = c.token;
            caFile = c.caFile;
            kvPrefix = c.kvPrefix;
            routesFromKv = c.routesFromKv;
            snapshotFile = c.snapshotFile;
            register = c.register;
            advertiseAddress = c.advertiseAddress;
            checkInterval = c.checkInterval;
            deregisterAfter = c.deregisterAfter;
            panicThreshold = c.panicThreshold;
            freeze = c.freeze;
            watchWait = c.watchWait;
        }

        public Builder addresses(List<URI> v) {
            addresses = List.copyOf(v);
            return this;
        }

        public Builder token(String v) {
            token = Optional.of(v);
            return this;
        }

        /** No ACL token, not even from the environment. */
        public Builder clearToken() {
            token = Optional.empty();
            return this;
        }

        public Builder caFile(Path v) {
            caFile = Optional.of(v);
            return this;
        }

        public Builder kvPrefix(String v) {
            kvPrefix = v;
            return this;
        }

        public Builder routesFromKv(boolean v) {
            routesFromKv = v;
            return this;
        }

        public Builder snapshotFile(Path v) {
            snapshotFile = v;
            return this;
        }

        public Builder register(boolean v) {
            register = v;
            return this;
        }

        public Builder advertiseAddress(String v) {
            advertiseAddress = Optional.of(v);
            return this;
        }

        public Builder checkInterval(Duration v) {
            checkInterval = v;
            return this;
        }

        public Builder deregisterAfter(Duration v) {
            deregisterAfter = v;
            return this;
        }

        public Builder panicThreshold(double v) {
            panicThreshold = v;
            return this;
        }

        public Builder freeze(boolean v) {
            freeze = v;
            return this;
        }

        public Builder watchWait(Duration v) {
            watchWait = v;
            return this;
        }

        public ConsulConfig build() {
            return new ConsulConfig(addresses, token, caFile, kvPrefix, routesFromKv, snapshotFile, register,
                    advertiseAddress, checkInterval, deregisterAfter, panicThreshold, freeze, watchWait);
        }
    }
}
