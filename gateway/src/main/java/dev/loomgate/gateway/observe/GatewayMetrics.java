package dev.loomgate.gateway.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The node's metrics, rendered as Prometheus text. Counters are LongAdders bumped on the hot
 * path; anything owned by another component is pulled at scrape time through a {@link Source}.
 *
 * <p>Per-route and per-upstream handles are created once per name (labels rendered then) and
 * forgotten by {@link #retain} when a new routing snapshot no longer has the route or upstream.
 */
public final class GatewayMetrics {
    /** Contributes lines at scrape time (gauges of pools, config state, other subsystems). */
    public interface Source extends Consumer<PrometheusText> {
    }

    private final Handles routes = new Handles("route");
    private final Handles upstreams = new Handles("upstream");
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder noRoute = new LongAdder();
    private final List<Source> sources = new CopyOnWriteArrayList<>();

    /** The metrics handle of a route; a route no longer in the routing snapshot gets a detached one. */
    public TrafficStats route(String routeId) {
        return routes.handle(routeId);
    }

    /** The metrics handle of an upstream; an upstream no longer in the snapshot gets a detached one. */
    public TrafficStats upstream(String name) {
        return upstreams.handle(name);
    }

    /** The route ids and upstream names of a routing snapshot. */
    public record LiveNames(Set<String> routes, Set<String> upstreams) {
        public LiveNames {
            routes = Set.copyOf(routes);
            upstreams = Set.copyOf(upstreams);
        }
    }

    /**
     * Keeps the handles of the routes and upstreams of the latest snapshot and forgets all others,
     * so deleted routes and upstreams leave /metrics. Snapshot listeners may run out of order on
     * two applying threads; reading the latest names inside this one lock makes the last call win
     * with the latest snapshot.
     */
    public synchronized void retain(Supplier<LiveNames> latest) {
        LiveNames names = latest.get();
        routes.retain(names.routes());
        upstreams.retain(names.upstreams());
    }

    /** The live per-route handles, by route id (sorted), for samplers such as {@link TrafficHistory}. */
    public List<Map.Entry<String, TrafficStats>> routeStats() {
        return routes.sorted();
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
        List<Map.Entry<String, TrafficStats>> byRoute = routes.sorted();
        List<Map.Entry<String, TrafficStats>> byUpstream = upstreams.sorted();
        p.help("loomgate_route_requests_total", "counter", "Requests answered per route, by status class.");
        byRoute.forEach(e -> e.getValue().writeCounts(p, "loomgate_route_requests_total"));
        p.help("loomgate_route_request_duration_seconds", "histogram", "Time from request start to the end of the response, per route.");
        byRoute.forEach(e -> e.getValue().latency().writeTo(p, "loomgate_route_request_duration_seconds"));
        p.help("loomgate_upstream_requests_total", "counter", "Requests sent per upstream, by status class of the upstream's answer.");
        byUpstream.forEach(e -> e.getValue().writeCounts(p, "loomgate_upstream_requests_total"));
        p.help("loomgate_upstream_request_duration_seconds", "histogram", "Time to the upstream's response head, per upstream.");
        byUpstream.forEach(e -> e.getValue().latency().writeTo(p, "loomgate_upstream_request_duration_seconds"));
        p.help("loomgate_no_route_total", "counter", "Requests that matched no route (404).");
        p.sample("loomgate_no_route_total", "", noRoute.sum());
        p.help("loomgate_proxy_errors_total", "counter", "Requests answered with a gateway error, by problem type.");
        List<Map.Entry<String, LongAdder>> errorList = new ArrayList<>(errors.entrySet());
        errorList.sort(Map.Entry.comparingByKey());
        for (var e : errorList) {
            p.sample("loomgate_proxy_errors_total", "type=\"" + e.getKey() + "\"", e.getValue().sum());
        }
        for (Source s : sources) {
            s.accept(p);
        }
        return p.toString();
    }

    /**
     * Metrics handles by name, created on first use. Until the first {@link #retain} every name is
     * accepted; afterwards only names of the live snapshot get a registered handle.
     */
    private static final class Handles {
        private final String label;
        private final Map<String, TrafficStats> byName = new ConcurrentHashMap<>();
        // null until the first snapshot arrives; then the names it has
        private volatile Set<String> live;

        Handles(String label) {
            this.label = label;
        }

        TrafficStats handle(String name) {
            TrafficStats stats = byName.get(name);
            if (stats != null) {
                return stats;
            }
            stats = byName.computeIfAbsent(name, n -> {
                Set<String> names = live;
                return names == null || names.contains(n) ? create(n) : null;
            });
            if (stats == null) {
                return create(name); // a request finishing on an older snapshot: counts go nowhere
            }
            // retain() may have published new names while we inserted, and its sweep may have
            // passed our entry: check again after inserting (retain publishes before it sweeps).
            Set<String> names = live;
            if (names != null && !names.contains(name)) {
                byName.remove(name, stats);
            }
            return stats;
        }

        void retain(Set<String> names) {
            live = Set.copyOf(names);
            byName.keySet().removeIf(n -> !live.contains(n));
        }

        private TrafficStats create(String name) {
            return new TrafficStats(label + "=\"" + PrometheusText.escape(name) + "\"");
        }

        List<Map.Entry<String, TrafficStats>> sorted() {
            List<Map.Entry<String, TrafficStats>> list = new ArrayList<>(byName.entrySet());
            list.sort(Map.Entry.comparingByKey());
            return list;
        }
    }
}
