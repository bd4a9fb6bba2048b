package dev.loomgate.gateway.testing;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.loomgate.gateway.http.RequestView;

/**
 * A {@code GET /} request built directly for tests of components that only read headers, cookies
 * and the client IP (balancers, rate-limit keys). Header names are case-insensitive.
 */
public record FixedRequest(Map<String, List<String>> headers, Map<String, String> cookies, String clientIp,
                           boolean peerIsTrustedProxy) implements RequestView {

    public FixedRequest {
        headers = headers.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(e -> e.getKey().toLowerCase(Locale.ROOT),
                        e -> List.copyOf(e.getValue())));
        cookies = Map.copyOf(cookies);
    }

    public static FixedRequest fromIp(String clientIp) {
        return new FixedRequest(Map.of(), Map.of(), clientIp, false);
    }

    public static FixedRequest withHeader(String name, String value, String clientIp) {
        return fromIp(clientIp).header(name, value);
    }

    public static FixedRequest withCookie(String name, String value, String clientIp) {
        return fromIp(clientIp).cookie(name, value);
    }

    /** A copy with the header set to these values. */
    public FixedRequest header(String name, String... values) {
        Map<String, List<String>> h = new HashMap<>(headers);
        h.put(name.toLowerCase(Locale.ROOT), List.of(values));
        return new FixedRequest(h, cookies, clientIp, peerIsTrustedProxy);
    }

    /** A copy with the cookie set. */
    public FixedRequest cookie(String name, String value) {
        Map<String, String> c = new HashMap<>(cookies);
        c.put(name, value);
        return new FixedRequest(headers, c, clientIp, peerIsTrustedProxy);
    }

    /** A copy that came through a proxy in {@code forwarded.trusted-proxies}. */
    public FixedRequest viaTrustedProxy() {
        return new FixedRequest(headers, cookies, clientIp, true);
    }

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public String host() {
        return "example.test";
    }

    @Override
    public String path() {
        return "/";
    }

    @Override
    public String rawQuery() {
        return "";
    }

    @Override
    public List<String> headerValues(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    @Override
    public Optional<String> queryParam(String name) {
        return Optional.empty();
    }

    @Override
    public Optional<String> cookie(String name) {
        return Optional.ofNullable(cookies.get(name));
    }
}
