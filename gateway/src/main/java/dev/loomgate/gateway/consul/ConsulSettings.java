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

    public static ConsulSettings of(String... addresses) {
        return new ConsulSettings(List.of(addresses).stream().map(ConsulSettings::address).toList(), Optional.empty(),
                Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    public ConsulSettings withToken(Optional<String> token) {
        return new ConsulSettings(addresses, token, caFile, connectTimeout, requestTimeout);
    }

    public ConsulSettings withCaFile(Optional<Path> caFile) {
        return new ConsulSettings(addresses, token, caFile, connectTimeout, requestTimeout);
    }

    public ConsulSettings withTimeouts(Duration connect, Duration request) {
        return new ConsulSettings(addresses, token, caFile, connect, request);
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
