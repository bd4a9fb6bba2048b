package dev.loomgate.gateway.upstream;

import java.util.Objects;

/** One upstream instance: where to connect and its load-balancing weight (>= 1). */
public record Endpoint(String host, int port, int weight) {
    public Endpoint {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be >= 1, got " + weight);
        }
    }

    /** {@code host:port}: stable identity across config reloads (weight is not part of it). */
    public String id() {
        return host + ":" + port;
    }

    /**
     * Parses {@code host:port} (IPv6 as {@code [::1]:port}).
     *
     * @throws IllegalArgumentException with a message fit for a config error
     */
    public static Endpoint parse(String address, int weight) {
        String a = address.trim();
        int colon = a.lastIndexOf(':');
        if (colon <= 0 || colon == a.length() - 1) {
            throw new IllegalArgumentException("address must be host:port, got '" + address + "'");
        }
        String host = a.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(a.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port of '" + address + "' is not a number");
        }
        return new Endpoint(host, port, weight);
    }

    @Override
    public String toString() {
        return id() + (weight == 1 ? "" : " weight=" + weight);
    }
}
