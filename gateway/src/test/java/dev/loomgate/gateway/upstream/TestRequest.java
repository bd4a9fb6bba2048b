package dev.loomgate.gateway.upstream;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.loomgate.gateway.route.RequestView;

/** A fixed request for balancer tests: headers (names case-insensitive), cookies, client IP. */
record TestRequest(Map<String, List<String>> headers, Map<String, String> cookies, String clientIp)
        implements RequestView {

    TestRequest {
        headers = headers.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(e -> e.getKey().toLowerCase(Locale.ROOT),
                        e -> List.copyOf(e.getValue())));
        cookies = Map.copyOf(cookies);
    }

    static TestRequest fromIp(String clientIp) {
        return new TestRequest(Map.of(), Map.of(), clientIp);
    }

    static TestRequest withHeader(String name, String value, String clientIp) {
        return new TestRequest(Map.of(name, List.of(value)), Map.of(), clientIp);
    }

    static TestRequest withCookie(String name, String value, String clientIp) {
        return new TestRequest(Map.of(), Map.of(name, value), clientIp);
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
