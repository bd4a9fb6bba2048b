package dev.loomgate.benchmarks.jwt;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.loomgate.gateway.http.MutableHeaders;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.http.RequestView;
import dev.loomgate.gateway.pipeline.Attribute;
import dev.loomgate.gateway.pipeline.ClientBody;
import dev.loomgate.gateway.pipeline.Exchange;
import dev.loomgate.gateway.pipeline.ResponseHook;
import dev.loomgate.gateway.pipeline.ResponseWriter;
import dev.loomgate.gateway.route.RouteMatch;

/**
 * The smallest exchange an authentication filter's admitting path needs: one request header (its value a new
 * String per request, as the front door decodes it from the request bytes, so no hash code is cached), the
 * upstream headers, attributes. Answering is not part of the measured path and fails loudly.
 */
final class HitExchange implements Exchange, RequestView, MutableHeaders {
    private final String headerName;
    private final String headerValue;
    private final Map<String, String> upstream = new java.util.HashMap<>();
    private final Map<Attribute<?>, Object> attributes = new IdentityHashMap<>();

    HitExchange(String headerName, String headerValue) {
        this.headerName = headerName;
        this.headerValue = headerValue;
        upstream.put(headerName.toLowerCase(Locale.ROOT), headerValue);
    }

    @Override
    public RequestView request() {
        return this;
    }

    @Override
    public RouteMatch match() {
        throw new UnsupportedOperationException("not on the measured path");
    }

    @Override
    public String requestId() {
        return "bench";
    }

    @Override
    public String upstreamPath() {
        return "/";
    }

    @Override
    public void upstreamPath(String path) {
    }

    @Override
    public MutableHeaders upstreamHeaders() {
        return this;
    }

    @Override
    public <T> Optional<T> attribute(Attribute<T> key) {
        return Optional.ofNullable(attributes.get(key)).map(key::cast);
    }

    @Override
    public <T> void attribute(Attribute<T> key, T value) {
        attributes.put(key, value);
    }

    @Override
    public void onResponseHead(ResponseHook hook) {
    }

    @Override
    public void answer(Problem problem) {
        throw new IllegalStateException("the benchmark's request was refused: " + problem);
    }

    @Override
    public ResponseWriter response() {
        throw new UnsupportedOperationException("not on the measured path");
    }

    @Override
    public ClientBody body() {
        throw new UnsupportedOperationException("not on the measured path");
    }

    // RequestView
    @Override
    public String method() {
        return "GET";
    }

    @Override
    public String host() {
        return "bench";
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
        return name.equalsIgnoreCase(headerName) ? List.of(headerValue) : List.of();
    }

    @Override
    public String clientIp() {
        return "127.0.0.1";
    }

    @Override
    public boolean peerIsTrustedProxy() {
        return false;
    }

    // MutableHeaders (upstream)
    @Override
    public void set(String name, String value) {
        upstream.put(name.toLowerCase(Locale.ROOT), value);
    }

    @Override
    public void add(String name, String value) {
        upstream.merge(name.toLowerCase(Locale.ROOT), value, (a, b) -> a + ", " + b);
    }

    @Override
    public void remove(String name) {
        upstream.remove(name.toLowerCase(Locale.ROOT));
    }

    /** The upstream header of that name, as a filter left it. */
    Optional<String> upstreamHeader(String name) {
        return Optional.ofNullable(upstream.get(name.toLowerCase(Locale.ROOT)));
    }
}
