package dev.loomgate.loadtests.routes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A large, realistic routes document made deterministically, for the route-scale benchmarks (JMH matching and
 * snapshot building, Consul propagation): 60 % of the routes on exact hosts (30 per {@code svcN.example.com}: exact
 * paths, templates, prefixes, a method-limited template and a header-only canary), 20 % on wildcard hosts (20 per
 * {@code *.tN.tenants.example.net}) and 20 % without hosts, all under {@code /api} as host-less APIs usually are.
 * {@link #lookups()} are requests that hit each kind, and miss, each with the route id that must answer.
 */
public final class GeneratedRoutes {
    /** Routes per exact host and per wildcard suffix. */
    static final int PER_HOST = 30;
    static final int PER_WILDCARD = 20;
    static final int UPSTREAMS = 10;

    /** A request and the route that must match it (empty: no route). */
    public record Lookup(String kind, String method, String host, String path, Optional<String> expectedRouteId) {
    }

    private final int routeCount;
    private final String yaml;
    private final List<Lookup> lookups;
    private final Map<String, Integer> routesByKind;

    private GeneratedRoutes(int routeCount, String yaml, List<Lookup> lookups, Map<String, Integer> routesByKind) {
        this.routeCount = routeCount;
        this.yaml = yaml;
        this.lookups = List.copyOf(lookups);
        this.routesByKind = Map.copyOf(routesByKind);
    }

    /**
     * @param routeCount at least 100
     * @param version    the document's {@code version}
     * @param upstream   the {@code host:port} every upstream sends to
     */
    public static GeneratedRoutes of(int routeCount, String version, String upstream) {
        if (routeCount < 100) {
            throw new IllegalArgumentException("route count must be at least 100, got " + routeCount);
        }
        int hosts = routeCount * 6 / 10 / PER_HOST;
        int wildcards = routeCount * 2 / 10 / PER_WILDCARD;
        int hostless = routeCount - hosts * PER_HOST - wildcards * PER_WILDCARD;
        StringBuilder sb = new StringBuilder(routeCount * 110);
        sb.append("version: \"").append(version).append("\"\nupstreams:\n");
        for (int u = 0; u < UPSTREAMS; u++) {
            sb.append("  - name: up").append(u).append("\n    endpoints: [ \"").append(upstream).append("\" ]\n");
        }
        sb.append("routes:\n");
        Map<String, Integer> kinds = new LinkedHashMap<>();
        for (int h = 0; h < hosts; h++) {
            String host = "svc" + h + ".example.com";
            for (int j = 0; j < PER_HOST; j++) {
                String match;
                String kind;
                if (j < 10) {
                    match = "path: /v1/res" + j;
                    kind = "host exact path";
                } else if (j < 20) {
                    match = "path: \"/v1/res" + (j - 10) + (j % 2 == 0 ? "/{id}\"" : "/{id}/items/{item}\"");
                    kind = "host template";
                } else if (j < 28) {
                    match = "path-prefix: /static/s" + (j - 20);
                    kind = "host prefix";
                } else if (j == 28) {
                    match = "path-prefix: /, headers: [ { name: X-Canary, equals: \"true\" } ]";
                    kind = "host header-only";
                } else {
                    match = "path: \"/v2/{tenant}/orders/{id}\", methods: [GET, POST]";
                    kind = "host template+methods";
                }
                route(sb, "h" + h + "-" + j, h % UPSTREAMS, "hosts: [" + host + "], " + match);
                kinds.merge(kind, 1, Integer::sum);
            }
        }
        for (int w = 0; w < wildcards; w++) {
            String host = "\"*.t" + w + ".tenants.example.net\"";
            for (int j = 0; j < PER_WILDCARD; j++) {
                int k = j / 3;
                String match = switch (j % 3) {
                    case 0 -> "path: /app/p" + k;
                    case 1 -> "path: \"/app/p" + k + "/{id}\"";
                    default -> "path-prefix: /assets/a" + k;
                };
                route(sb, "w" + w + "-" + j, w % UPSTREAMS, "hosts: [" + host + "], " + match);
                kinds.merge("wildcard " + (j % 3 == 0 ? "exact path" : j % 3 == 1 ? "template" : "prefix"), 1, Integer::sum);
            }
        }
        for (int i = 0; i < hostless; i++) {
            int g = i / 3;
            String match = switch (i % 3) {
                case 0 -> "path: /api/svc" + g + "/health";
                case 1 -> "path: \"/api/svc" + g + "/users/{id}\"";
                default -> "path-prefix: /api/svc" + g + "/files";
            };
            route(sb, "a" + i, i % UPSTREAMS, match);
            kinds.merge("no-host " + (i % 3 == 0 ? "exact path" : i % 3 == 1 ? "template" : "prefix"), 1, Integer::sum);
        }
        return new GeneratedRoutes(routeCount, sb.toString(), lookups(hosts, wildcards, hostless), kinds);
    }

    private static void route(StringBuilder sb, String id, int upstream, String match) {
        sb.append("  - id: ").append(id).append("\n    upstream: up").append(upstream)
                .append("\n    match: { ").append(match).append(" }\n");
    }

    /** 1,000 lookups: 100 of each hit kind and 100 of each miss, spread over the whole table. */
    private static List<Lookup> lookups(int hosts, int wildcards, int hostless) {
        Random random = new Random(42);
        List<Lookup> out = new ArrayList<>();
        int groups = hostless / 3;
        for (int n = 0; n < 100; n++) {
            int h = random.nextInt(hosts);
            String host = "svc" + h + ".example.com";
            int j = random.nextInt(10);
            out.add(hit("host exact path", "GET", host, "/v1/res" + j, "h" + h + "-" + j));
            int t = 10 + random.nextInt(10);
            String tpath = "/v1/res" + (t - 10) + (t % 2 == 0 ? "/" + random.nextInt(100_000) : "/" + n + "/items/i" + n);
            out.add(hit("host template", "GET", host, tpath, "h" + h + "-" + t));
            int p = 20 + random.nextInt(8);
            out.add(hit("host prefix", "GET", host, "/static/s" + (p - 20) + "/img/logo-" + n + ".png", "h" + h + "-" + p));
            int w = random.nextInt(wildcards);
            String whost = "customer" + n + ".t" + w + ".tenants.example.net";
            int k = random.nextInt(PER_WILDCARD / 3);
            out.add(hit("wildcard host", "GET", whost, switch (n % 3) {
                case 0 -> "/app/p" + k;
                case 1 -> "/app/p" + k + "/" + n;
                default -> "/assets/a" + k + "/app.js";
            }, "w" + w + "-" + (k * 3 + n % 3)));
            int g = random.nextInt(groups);
            int i = g * 3 + n % 3;
            out.add(hit("no-host route", "GET", "unlisted.example.org", switch (n % 3) {
                case 0 -> "/api/svc" + g + "/health";
                case 1 -> "/api/svc" + g + "/users/u" + n;
                default -> "/api/svc" + g + "/files/report-" + n + ".pdf";
            }, "a" + i));
            out.add(miss("miss: known host, unknown path", "GET", host, "/v1/unknown/" + n));
            out.add(miss("miss: unknown host and path", "GET", "nowhere" + n + ".example.org", "/nothing/here/" + n));
            out.add(miss("miss: under /api, no route", "GET", "unlisted.example.org", "/api/svc" + g + "/orders/" + n));
            out.add(miss("miss: wildcard apex", "GET", "t" + w + ".tenants.example.net", "/app/p" + k));
            out.add(miss("miss: method not allowed", "DELETE", host, "/v2/acme/orders/" + n));
        }
        return out;
    }

    private static Lookup hit(String kind, String method, String host, String path, String id) {
        return new Lookup(kind, method, host, path, Optional.of(id));
    }

    private static Lookup miss(String kind, String method, String host, String path) {
        return new Lookup(kind, method, host, path, Optional.empty());
    }

    public int routeCount() {
        return routeCount;
    }

    /** The routes document (the routes file schema, docs/CONFIG.md). */
    public String yaml() {
        return yaml;
    }

    public List<Lookup> lookups() {
        return lookups;
    }

    /** How many routes of each kind the document holds. */
    public Map<String, Integer> routesByKind() {
        return routesByKind;
    }
}
