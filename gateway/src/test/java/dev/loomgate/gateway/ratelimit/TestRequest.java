package dev.loomgate.gateway.ratelimit;

import dev.loomgate.gateway.route.RequestView;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A request built directly for tests: headers by lower-case name, cookies, peer address. */
record TestRequest(Map<String, List<String>> headers, Map<String, String> cookies, String clientIp)
        implements RequestView {

    static TestRequest from(String peer) {
        return new TestRequest(Map.of(), Map.of(), peer);
    }

    TestRequest header(String name, String... values) {
        var h = new java.util.HashMap<>(headers);
        h.put(name.toLowerCase(java.util.Locale.ROOT), List.of(values));
        return new TestRequest(Map.copyOf(h), cookies, clientIp);
    }

    TestRequest cookie(String name, String value) {
        var c = new java.util.HashMap<>(cookies);
        c.put(name, value);
        return new TestRequest(headers, Map.copyOf(c), clientIp);
    }

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public String host() {
        return "api.example";
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
        return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), List.of());
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
