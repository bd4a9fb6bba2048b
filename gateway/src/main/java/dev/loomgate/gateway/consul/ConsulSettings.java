package dev.loomgate.gateway.consul;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach Consul.
 *
 * @param addresses      agents to try in order ({@code http://host:port} or {@code https://...}); the
 *                       client sticks to the one that last answered and moves on when it fails
 * @param token          ACL token, sent as {@code X-Consul-Token}
 * @param caFile         PEM file with the CA(s) to trust for https agents; empty: the JDK's trust store
 * @param connectTimeout TCP (and TLS) connect timeout per agent
 * @param requestTimeout timeout of a non-blocking request
 */
public record ConsulSettings(List<URI> addresses, Optional<String> token, Optional<Path> caFile,
                             Duration connectTimeout, Duration requestTimeout) {
    public ConsulSettings {
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("at least one Consul address is needed");
        }
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(caFile, "caFile");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** Plain-http agents ({@code host:port} or URLs), no token, default timeouts. */
    public static ConsulSettings of(String... addresses) {
        return builder().addresses(List.of(addresses).stream().map(ConsulSettings::address).toList()).build();
    }

    /** A builder with no token, the JDK trust store and default timeouts; addresses are required. */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder().addresses(addresses).connectTimeout(connectTimeout).requestTimeout(requestTimeout);
        b.token = token;
        b.caFile = caFile;
        return b;
    }

    /** Builds {@link ConsulSettings}. */
    public static final class Builder {
        private List<URI> addresses = List.of();
        private Optional<String> token = Optional.empty();
        private Optional<Path> caFile = Optional.empty();
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;

        private Builder() {
        }

        public Builder addresses(List<URI> v) {
            addresses = List.copyOf(v);
            return this;
        }

        /** ACL token sent as {@code X-Consul-Token}. */
        public Builder token(String v) {
            token = Optional.of(v);
            return this;
        }

        public Builder clearToken() {
            token = Optional.empty();
            return this;
        }

        /** PEM file with the CA(s) to trust for https agents. */
        public Builder caFile(Path v) {
            caFile = Optional.of(v);
            return this;
        }

        /** Back to the JDK's trust store. */
        public Builder clearCaFile() {
            caFile = Optional.empty();
            return this;
        }

        public Builder connectTimeout(Duration v) {
            connectTimeout = v;
            return this;
        }

        public Builder requestTimeout(Duration v) {
            requestTimeout = v;
            return this;
        }

        public ConsulSettings build() {
            return new ConsulSettings(addresses, token, caFile, connectTimeout, requestTimeout);
        }
    }

    /**
     * Parses {@code host:port}, {@code http://host:port} or {@code https://host:port}; a bare
     * address gets {@code http://}, or {@code https://} when {@code tls} is set.
     */
    public static URI address(String text, boolean tls) {
        String t = text.trim();
        if (t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        if (!t.contains("://")) {
            t = (tls ? "https://" : "http://") + t;
        }
        URI uri = URI.create(t);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("Consul address '" + text + "' must be http:// or https://");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("Consul address '" + text + "' has no host");
        }
        if ((uri.getPath() != null && !uri.getPath().isEmpty()) || uri.getQuery() != null) {
            throw new IllegalArgumentException("Consul address '" + text + "' must not have a path or query");
        }
        return uri;
    }

    public static URI address(String text) {
        return address(text, false);
    }
}
