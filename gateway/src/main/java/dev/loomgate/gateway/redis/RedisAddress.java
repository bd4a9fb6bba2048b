package dev.loomgate.gateway.redis;

/** A Redis or Sentinel endpoint. */
public record RedisAddress(String host, int port) {
    public RedisAddress {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host: must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " is outside 1..65535");
        }
    }

    /** Parses {@code host:port} (IPv6 as {@code [::1]:6379}); {@code field} names the config field in errors. */
    public static RedisAddress parse(String text, String field) {
        String s = text.strip();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw TreeValues.error(field, "expected host:port, got '" + text + "'");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw TreeValues.error(field, "port is not a number in '" + text + "'");
        }
        if (port < 1 || port > 65535) {
            throw TreeValues.error(field, "port " + port + " is outside 1..65535");
        }
        return new RedisAddress(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
