package dev.loomgate.gateway.route;

import dev.loomgate.gateway.http.RequestView;
import dev.loomgate.gateway.http.HttpTokens;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;


/**
 * One compiled route: what it matches (hosts, path, methods, headers, query) and where it sends the
 * request (an upstream by name, with its timeouts and retries). Immutable. What happens on the way (rewrites,
 * header operations, rate limits, CORS, ...) is the route's pipeline, built from the same routes file entry.
 * Build with {@link #builder(String, String)}; {@link RouteTable} decides priority.
 */
public final class Route {
    private final String id;
    private final String upstream;
    private final List<String> hosts;
    private final PathPattern path;
    private final List<String> methods;
    private final String[] methodArray;
    private final List<ValueCondition> headers;
    private final List<ValueCondition> query;
    private final dev.loomgate.gateway.resilience.RouteResilience resilience;

    private Route(Builder b) {
        this.id = b.id;
        this.upstream = b.upstream;
        this.hosts = List.copyOf(b.hosts);
        this.path = b.path;
        this.methods = List.copyOf(b.methods);
        this.methodArray = this.methods.toArray(String[]::new);
        this.headers = List.copyOf(b.headers);
        this.query = List.copyOf(b.query);
        this.resilience = b.resilience;
    }

    public static Builder builder(String id, String upstream) {
        return new Builder(id, upstream);
    }

    public String id() {
        return id;
    }

    /** Name of the upstream the route sends to. */
    public String upstream() {
        return upstream;
    }

    /** Lower-case host patterns (exact or {@code *.suffix}); empty matches any host. */
    public List<String> hosts() {
        return hosts;
    }

    public PathPattern path() {
        return path;
    }

    /** Upper-case methods; empty matches any method. */
    public List<String> methods() {
        return methods;
    }

    public List<ValueCondition> headers() {
        return headers;
    }

    public List<ValueCondition> query() {
        return query;
    }

    /** Timeouts and retry policy. */
    public dev.loomgate.gateway.resilience.RouteResilience resilience() {
        return resilience;
    }

    /** Methods (as one), headers and query conditions: the third priority rule. */
    int constraintCount() {
        return (methods.isEmpty() ? 0 : 1) + headers.size() + query.size();
    }

    /** Matches everything but the host, which the table has already selected on. */
    RouteMatch matchIgnoringHost(RequestView request) {
        if (methodArray.length > 0 && !methodAllowed(request.method())) {
            return null;
        }
        String rawPath = request.path();
        String[] values = null;
        if (path.kind() == PathPattern.Kind.TEMPLATE) {
            values = path.matchTemplate(rawPath);
            if (values == null) {
                return null;
            }
        } else if (!path.matchesPlain(rawPath)) {
            return null;
        }
        for (int i = 0; i < headers.size(); i++) {
            if (!headers.get(i).testHeader(request)) {
                return null;
            }
        }
        for (int i = 0; i < query.size(); i++) {
            if (!query.get(i).testQuery(request)) {
                return null;
            }
        }
        if (values == null) {
            return new RouteMatch(this, Map.of(), rawPath, NO_VALUES);
        }
        return new RouteMatch(this, path.decodedVariables(values), rawPath, values);
    }

    private static final String[] NO_VALUES = new String[0];

    private boolean methodAllowed(String method) {
        for (String m : methodArray) {
            if (m.equals(method)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "Route[" + id + " -> " + upstream + ", hosts=" + hosts + ", path=" + path
                + (methods.isEmpty() ? "" : ", methods=" + methods)
                + (headers.isEmpty() ? "" : ", headers=" + headers)
                + (query.isEmpty() ? "" : ", query=" + query) + "]";
    }

    /** Collects a route; {@link #build()} checks the parts fit together. */
    public static final class Builder {
        private final String id;
        private final String upstream;
        private final List<String> hosts = new ArrayList<>();
        private PathPattern path = PathPattern.any();
        private final List<String> methods = new ArrayList<>();
        private final List<ValueCondition> headers = new ArrayList<>();
        private final List<ValueCondition> query = new ArrayList<>();
        private dev.loomgate.gateway.resilience.RouteResilience resilience =
                dev.loomgate.gateway.resilience.RouteResilience.DEFAULTS;

        private Builder(String id, String upstream) {
            this.id = Objects.requireNonNull(id, "id");
            this.upstream = Objects.requireNonNull(upstream, "upstream");
        }

        /**
         * Adds a host: exact (case-insensitive) or {@code *.example.com}, which matches any
         * depth of subdomain but not {@code example.com} itself.
         */
        public Builder host(String host) {
            hosts.add(normalizeHost(host));
            return this;
        }

        public Builder path(PathPattern pattern) {
            this.path = Objects.requireNonNull(pattern, "pattern");
            return this;
        }

        public Builder method(String method) {
            String m = method.trim().toUpperCase(Locale.ROOT);
            if (!HttpTokens.isToken(m)) {
                throw new IllegalArgumentException("'" + method + "' is not a valid method");
            }
            if (!methods.contains(m)) {
                methods.add(m);
            }
            return this;
        }

        public Builder header(ValueCondition condition) {
            headers.add(condition);
            return this;
        }

        public Builder query(ValueCondition condition) {
            query.add(condition);
            return this;
        }

        public Builder resilience(dev.loomgate.gateway.resilience.RouteResilience resilience) {
            this.resilience = Objects.requireNonNull(resilience, "resilience");
            return this;
        }

        public Route build() {
            return new Route(this);
        }

        static String normalizeHost(String host) {
            String h = host.trim().toLowerCase(Locale.ROOT);
            String name = h.startsWith("*.") ? h.substring(2) : h;
            if (name.isEmpty() || name.startsWith(".") || name.endsWith(".") || name.contains("..")) {
                throw new IllegalArgumentException("'" + host + "' is not a host name or *.domain wildcard");
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')) {
                    throw new IllegalArgumentException("'" + host + "' is not a host name or *.domain wildcard"
                            + (c == ':' ? " (no port: the port is ignored when matching)" : ""));
                }
            }
            return h;
        }
    }
}
