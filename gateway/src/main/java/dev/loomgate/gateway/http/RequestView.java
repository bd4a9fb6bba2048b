package dev.loomgate.gateway.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * What routing, load balancing and policies may read of an incoming request.
 * The proxy adapts the front door's request to this once per request; tests build it directly.
 */
public interface RequestView {
    /** Upper-case method, e.g. {@code GET}. */
    String method();

    /** Host without port, lower-case; empty when the request had no Host header. */
    String host();

    /** The path, still percent-encoded, always starting with {@code /}; normalized by the proxy ({@link PathNormalizer}). */
    String path();

    /** Raw query string without the leading {@code ?}, empty when none. */
    String rawQuery();

    /** All values of a header, in order; name is case-insensitive. */
    List<String> headerValues(String name);

    /** First value of a header. */
    default Optional<String> header(String name) {
        List<String> v = headerValues(name);
        return v.isEmpty() ? Optional.empty() : Optional.of(v.getFirst());
    }

    /** First value of a (decoded) query parameter; a name without {@code =} has the value "". */
    default Optional<String> queryParam(String name) {
        String raw = rawQuery();
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = decode(eq >= 0 ? pair.substring(0, eq) : pair);
            if (k.equals(name)) {
                return Optional.of(eq >= 0 ? decode(pair.substring(eq + 1)) : "");
            }
        }
        return Optional.empty();
    }

    /** Percent-decoded; a malformed escape leaves the text as sent (a lookup then simply does not match). */
    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** Value of a cookie from the Cookie header(s), without the double quotes RFC 6265 allows around it. */
    default Optional<String> cookie(String name) {
        for (String header : headerValues("Cookie")) {
            for (String part : header.split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
                    String v = part.substring(eq + 1).trim();
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                        v = v.substring(1, v.length() - 1);
                    }
                    return Optional.of(v);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The client's address (no port): the peer that connected to us, or, when that peer is a trusted proxy
     * ({@code forwarded.trusted-proxies}), the right-most untrusted X-Forwarded-For address.
     */
    String clientIp();

    /**
     * Whether the peer that connected to us is a trusted proxy ({@code forwarded.trusted-proxies}): only
     * then do its forwarding headers (X-Forwarded-For and the like) say anything about the client.
     */
    boolean peerIsTrustedProxy();

    /**
     * Whether the client's connection to this node is TLS, or a trusted proxy ({@code forwarded.trusted-proxies})
     * says the client's was ({@code X-Forwarded-Proto: https}); e.g. for a cookie's {@code Secure} attribute.
     */
    default boolean secure() {
        return false;
    }

    /**
     * The server-side session id a {@code session} filter established for this request (consistent-hash balancing
     * with {@code hash-key: { session: true }} reads it); empty before that filter ran or without one.
     */
    default Optional<String> sessionId() {
        return Optional.empty();
    }
}
