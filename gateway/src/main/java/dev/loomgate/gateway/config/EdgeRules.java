package dev.loomgate.gateway.config;

import java.util.List;
import java.util.Objects;

/**
 * Request rules that do not depend on the HTTP parser: path normalization ({@code paths:}), which
 * peers may set forwarded headers ({@code forwarded:}) and who may change state through the admin
 * API ({@code admin:}). docs/SECURITY.md explains each rule.
 *
 * @param paths     path normalization
 * @param forwarded forwarded-header trust
 * @param admin     admin API request checks
 */
public record EdgeRules(Paths paths, Forwarded forwarded, Admin admin) {
    public EdgeRules {
        Objects.requireNonNull(paths, "paths");
        Objects.requireNonNull(forwarded, "forwarded");
        Objects.requireNonNull(admin, "admin");
    }

    public static EdgeRules defaults() {
        return new EdgeRules(Paths.defaults(), Forwarded.defaults(), Admin.defaults());
    }

    public EdgeRules withPaths(Paths v) {
        return new EdgeRules(v, forwarded, admin);
    }

    public EdgeRules withForwarded(Forwarded v) {
        return new EdgeRules(paths, v, admin);
    }

    public EdgeRules withAdmin(Admin v) {
        return new EdgeRules(paths, forwarded, v);
    }

    /**
     * @param mergeSlashes {@code //} becomes {@code /} before routing (default true, like nginx: a route or
     *                     rate limit on {@code /api} must not be dodged with {@code //api})
     */
    public record Paths(boolean mergeSlashes) {
        public static Paths defaults() {
            return new Paths(true);
        }
    }

    /**
     * @param trustedProxies peers (the load balancers) whose X-Forwarded-* and Forwarded headers are kept;
     *                       default none, loopback included: a header is only as good as who set it
     */
    public record Forwarded(TrustedProxies trustedProxies) {
        public Forwarded {
            Objects.requireNonNull(trustedProxies, "trustedProxies");
        }

        public static Forwarded defaults() {
            return new Forwarded(TrustedProxies.none());
        }
    }

    /**
     * @param allowedOrigins         browser origins ({@code https://ops.example.com}) allowed to change state
     * @param hosts                  Host names (besides IP literals and localhost) the admin API answers to
     * @param requireTokenOnLoopback a state-changing call needs the bearer token even when the admin port is on
     *                               loopback (a token must then be configured)
     */
    public record Admin(List<String> allowedOrigins, List<String> hosts, boolean requireTokenOnLoopback) {
        public Admin {
            allowedOrigins = List.copyOf(allowedOrigins);
            hosts = List.copyOf(hosts);
        }

        public static Admin defaults() {
            return new Admin(List.of(), List.of(), false);
        }
    }
}
