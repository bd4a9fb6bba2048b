package dev.loomgate.gateway.policy.cors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.loomgate.gateway.http.HttpTokens;
import dev.loomgate.gateway.http.RequestView;

/**
 * A route's {@code cors:} rules and the decisions made from them (Fetch standard, "CORS protocol"): whether a
 * preflight is allowed and with which headers it is answered, and which headers an actual response gets.
 * Immutable; no I/O, so the decisions are tested without a server.
 */
public final class CorsPolicy {
    static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";
    static final String ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials";
    static final String ALLOW_METHODS = "Access-Control-Allow-Methods";
    static final String ALLOW_HEADERS = "Access-Control-Allow-Headers";
    static final String EXPOSE_HEADERS = "Access-Control-Expose-Headers";
    static final String MAX_AGE = "Access-Control-Max-Age";
    static final String REQUEST_METHOD = "Access-Control-Request-Method";
    static final String REQUEST_HEADERS = "Access-Control-Request-Headers";
    /** The wildcard of allow-origins, allow-methods, allow-headers and expose-headers. */
    static final String ANY = "*";
    static final List<String> DEFAULT_METHODS = List.of("GET", "HEAD", "POST");

    private final List<OriginPattern> origins;
    private final boolean anyOrigin;
    private final List<String> methods;
    private final boolean anyMethod;
    private final List<String> headers;
    private final Set<String> headersLower;
    private final boolean anyHeader;
    private final List<String> exposeHeaders;
    private final boolean credentials;
    private final Optional<Duration> maxAge;
    private final Map<String, String> preflightStatic;

    private CorsPolicy(Builder b) {
        this.anyOrigin = b.origins.contains(ANY);
        this.origins = anyOrigin ? List.of() : b.origins.stream().map(OriginPattern::parse).toList();
        this.anyMethod = b.methods.contains(ANY);
        this.methods = List.copyOf(b.methods);
        this.anyHeader = b.headers.contains(ANY);
        this.headers = List.copyOf(b.headers);
        this.headersLower = headers.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        this.exposeHeaders = List.copyOf(b.exposeHeaders);
        this.credentials = b.credentials;
        this.maxAge = b.maxAge;
        if (origins.isEmpty() && !anyOrigin) {
            throw new IllegalArgumentException("allow-origins must not be empty");
        }
        if (credentials && anyOrigin) {
            throw new IllegalArgumentException("allow-credentials cannot be true with allow-origins \"*\"");
        }
        if (credentials && exposeHeaders.contains(ANY)) {
            throw new IllegalArgumentException("expose-headers \"*\" cannot be used with allow-credentials");
        }
        Map<String, String> fixed = new LinkedHashMap<>();
        if (!anyMethod) {
            fixed.put(ALLOW_METHODS, String.join(", ", methods));
        }
        if (!anyHeader && !headers.isEmpty()) {
            fixed.put(ALLOW_HEADERS, String.join(", ", headers));
        }
        maxAge.ifPresent(d -> fixed.put(MAX_AGE, Long.toString(d.toSeconds())));
        this.preflightStatic = Collections.unmodifiableMap(fixed);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether the request is a CORS preflight: OPTIONS with Origin and Access-Control-Request-Method. */
    public static boolean isPreflight(RequestView request) {
        return request.method().equals("OPTIONS") && !request.headerValues("Origin").isEmpty()
                && !request.headerValues(REQUEST_METHOD).isEmpty();
    }

    /**
     * Whether the answer depends on the request's Origin, so that every response of the route (CORS or not) must
     * say {@code Vary: Origin} for HTTP caches (Fetch standard, "CORS protocol and HTTP caches").
     */
    public boolean variesByOrigin() {
        return !anyOrigin;
    }

    /** Whether an actual request from this Origin header value may read the response. */
    public boolean allowsOrigin(String origin) {
        if (anyOrigin) {
            return true;
        }
        Optional<OriginPattern> o = OriginPattern.ofHeader(origin);
        if (o.isEmpty()) {
            return false;
        }
        for (OriginPattern p : origins) {
            if (p.matches(o.get())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The CORS headers of an actual response (upstream's or the gateway's own) to a request with this Origin: for
     * an allowed origin the origin (or {@code *}), credentials and exposed headers; none for a disallowed one.
     */
    public Map<String, String> actualResponseHeaders(String origin) {
        if (anyOrigin) {
            return wildcardHeaders();
        }
        if (!allowsOrigin(origin)) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        out.put(ALLOW_ORIGIN, origin);
        if (credentials) {
            out.put(ALLOW_CREDENTIALS, "true");
        }
        if (!exposeHeaders.isEmpty()) {
            out.put(EXPOSE_HEADERS, String.join(", ", exposeHeaders));
        }
        return out;
    }

    /**
     * The CORS headers of a response to a request without (a single) Origin: none, except that with
     * {@code allow-origins: ["*"]} every response gets {@code *}, so a cached copy of a same-origin response
     * still serves a cross-origin reader (Fetch standard, "CORS protocol and HTTP caches").
     */
    public Map<String, String> responseHeadersWithoutOrigin() {
        return anyOrigin ? wildcardHeaders() : Map.of();
    }

    private Map<String, String> wildcardHeaders() {
        return exposeHeaders.isEmpty() ? Map.of(ALLOW_ORIGIN, ANY)
                : Map.of(ALLOW_ORIGIN, ANY, EXPOSE_HEADERS, String.join(", ", exposeHeaders));
    }

    /**
     * Decides a preflight.
     *
     * @param origin         the Origin header
     * @param requestMethod  Access-Control-Request-Method
     * @param requestHeaders the values of Access-Control-Request-Headers (comma-separated lists)
     */
    public PreflightDecision preflight(String origin, String requestMethod, List<String> requestHeaders) {
        if (!allowsOrigin(origin)) {
            return PreflightDecision.refused("origin is not allowed");
        }
        String method = requestMethod.strip();
        if (!HttpTokens.isToken(method)) {
            return PreflightDecision.refused("Access-Control-Request-Method is not a method");
        }
        if (!anyMethod && !methods.contains(method)) {
            return PreflightDecision.refused("method " + method + " is not allowed");
        }
        List<String> asked = new ArrayList<>();
        for (String value : requestHeaders) {
            for (String item : value.split(",")) {
                String name = item.strip();
                if (name.isEmpty()) {
                    continue;
                }
                if (!HttpTokens.isToken(name)) {
                    return PreflightDecision.refused("Access-Control-Request-Headers is not a list of header names");
                }
                if (!anyHeader && !headersLower.contains(name.toLowerCase(Locale.ROOT))) {
                    return PreflightDecision.refused("header " + name + " is not allowed");
                }
                asked.add(name);
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        out.put(ALLOW_ORIGIN, anyOrigin ? ANY : origin);
        if (credentials) {
            out.put(ALLOW_CREDENTIALS, "true");
        }
        if (anyMethod) {
            out.put(ALLOW_METHODS, method); // echoed: a literal "*" means nothing to a browser with credentials
        }
        if (anyHeader && !asked.isEmpty()) {
            out.put(ALLOW_HEADERS, String.join(", ", asked)); // echoed, for the same reason
        }
        out.putAll(preflightStatic);
        out.put("Vary", (anyOrigin ? "" : "Origin, ") + REQUEST_METHOD + ", " + REQUEST_HEADERS);
        return PreflightDecision.allowed(out);
    }

    public List<String> allowMethods() {
        return methods;
    }

    public List<String> allowHeaders() {
        return headers;
    }

    public List<String> exposeHeaders() {
        return exposeHeaders;
    }

    public boolean allowCredentials() {
        return credentials;
    }

    public Optional<Duration> maxAge() {
        return maxAge;
    }

    /** The allowed origins as normalized patterns; empty with {@code "*"} ({@link #anyOrigin()}). */
    public List<OriginPattern> allowOrigins() {
        return origins;
    }

    public boolean anyOrigin() {
        return anyOrigin;
    }

    /**
     * A preflight's outcome.
     *
     * @param allowed whether the preflight is answered 204 with {@code headers}; otherwise refused for {@code reason}
     */
    public record PreflightDecision(boolean allowed, String reason, Map<String, String> headers) {
        public PreflightDecision {
            headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        }

        static PreflightDecision allowed(Map<String, String> headers) {
            return new PreflightDecision(true, "", headers);
        }

        static PreflightDecision refused(String reason) {
            return new PreflightDecision(false, reason, Map.of());
        }
    }

    /** Values as the parser checked them; {@code "*"} alone in a list is the wildcard. */
    public static final class Builder {
        private List<String> origins = List.of();
        private List<String> methods = DEFAULT_METHODS;
        private List<String> headers = List.of();
        private List<String> exposeHeaders = List.of();
        private boolean credentials;
        private Optional<Duration> maxAge = Optional.empty();

        private Builder() {
        }

        /** Origins ({@code https://app.example.com}, {@code https://*.example.com}) or {@code "*"}. */
        public Builder allowOrigins(List<String> origins) {
            this.origins = List.copyOf(origins);
            return this;
        }

        public Builder allowMethods(List<String> methods) {
            this.methods = List.copyOf(methods);
            return this;
        }

        public Builder allowHeaders(List<String> headers) {
            this.headers = List.copyOf(headers);
            return this;
        }

        public Builder exposeHeaders(List<String> headers) {
            this.exposeHeaders = List.copyOf(headers);
            return this;
        }

        public Builder allowCredentials(boolean credentials) {
            this.credentials = credentials;
            return this;
        }

        public Builder maxAge(Duration maxAge) {
            this.maxAge = Optional.of(maxAge);
            return this;
        }

        /** @throws IllegalArgumentException when the combination is one browsers refuse */
        public CorsPolicy build() {
            return new CorsPolicy(this);
        }
    }
}
