package dev.loomgate.gateway.upstream;

import java.util.Objects;

/** Where a consistent-hash balancer reads its key: a header, a cookie, the session id, or the client IP. */
public record HashKeySpec(Source source, String name) {
    public enum Source { HEADER, COOKIE, CLIENT_IP, SESSION }

    public HashKeySpec {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(name, "name");
        if ((source == Source.HEADER || source == Source.COOKIE) && name.isBlank()) {
            throw new IllegalArgumentException(source + " hash key needs a name");
        }
    }

    public static HashKeySpec header(String name) {
        return new HashKeySpec(Source.HEADER, name);
    }

    public static HashKeySpec cookie(String name) {
        return new HashKeySpec(Source.COOKIE, name);
    }

    /** The request's server-side session id (set by the route's {@code session} filter). */
    public static HashKeySpec session() {
        return new HashKeySpec(Source.SESSION, "");
    }

    public static HashKeySpec clientIp() {
        return new HashKeySpec(Source.CLIENT_IP, "");
    }
}
