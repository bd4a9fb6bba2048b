package dev.loomgate.gateway.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The node's metrics, rendered as Prometheus text. Counters are LongAdders bumped on the hot
 * path; anything owned by another component is pulled at scrape time through a {@link Source}.
 */
public final class GatewayMetrics {
    /** Contributes lines at scrape time (gauges of pools, config state, other subsystems). */
    public interface Source extends Consumer<PrometheusText> {
    }

    private final Map<String, TrafficStats> routes = new ConcurrentHashMap<>();
    private final Map<String, TrafficStats> upstreams = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder noRoute = new LongAdder();
    private final List<Source> sources = new CopyOnWriteArrayList<>();

    public TrafficStats route(String routeId) {
        return routes.computeIfAbsent(routeId, k -> new TrafficStats());
    }

    public TrafficStats upstream(String name) {
        return upstreams.computeIfAbsent(name, k -> new TrafficStats());
    }

    public void noRoute() {
        noRoute.increment();
    }

    /** Counts a proxy error by its problem type (no-healthy-endpoint, upstream-timeout, ...). */
    public void error(String kind) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    public long errors(String kind) {
        LongAdder a = errors.get(kind);
        return a == null ? 0 : a.sum();
    }

    public void addSource(Source source) {
        sources.add(source);
    }

    public String scrape() {
        PrometheusText p = new PrometheusText();
        p.help("loomgate_route_requests_total", "counter", "Requests answered per route, by status class.");
        for (var e : sorted(routes)) {
            e.getValue().writeCounts(p.out(), "loomgate_route_requests_total", "route=\"" + PrometheusText.escape(e.getKey()) + "\"");
        }
        p.help("loomgate_route_request_duration_seconds", "histogram", "Time from request start to the end of the response, per route.");
        for (var e : sorted(routes)) {
            e.getValue().latency().writeTo(p.out(), "loomgate_route_request_duration_seconds", "route=\"" + PrometheusText.escape(e.getKey()) + "\"");
        }
        p.help("loomgate_upstream_requests_total", "counter", "Requests sent per upstream, by status class of the upstream's answer.");
        for (var e : sorted(upstreams)) {
            e.getValue().writeCounts(p.out(), "loomgate_upstream_requests_total", "upstream=\"" + PrometheusText.escape(e.getKey()) + "\"");
        }
        p.help("loomgate_upstream_request_duration_seconds", "histogram", "Time to the upstream's response head, per upstream.");
        for (var e : sorted(upstreams)) {
            e.getValue().latency().writeTo(p.out(), "loomgate_upstream_request_duration_seconds", "upstream=\"" + PrometheusText.escape(e.getKey()) + "\"");
        }
        p.help("loomgate_no_route_total", "counter", "Requests that matched no route (404).");
        p.sample("loomgate_no_route_total", "", noRoute.sum());
        p.help("loomgate_proxy_errors_total", "counter", "Requests answered with a gateway error, by problem type.");
        for (var e : sorted(errors)) {
            p.sample("loomgate_proxy_errors_total", "type=\"" + e.getKey() + "\"", e.getValue().sum());
        }
        for (Source s : sources) {
            s.accept(p);
        }
        return p.toString();
    }

    private static <V> List<Map.Entry<String, V>> sorted(Map<String, V> map) {
        List<Map.Entry<String, V>> list = new ArrayList<>(map.entrySet());
        list.sort(Map.Entry.comparingByKey());
        return list;
    }
}
