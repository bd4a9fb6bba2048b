package dev.loomgate.gateway.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.loomgate.gateway.tls.ServerTlsSettings;

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

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Edits {@link EdgeRules}; start from {@link EdgeRules#toBuilder()}. */
    public static final class Builder {
        private Paths paths;
        private Forwarded forwarded;
        private Admin admin;

        private Builder(EdgeRules e) {
            paths = e.paths;
            forwarded = e.forwarded;
            admin = e.admin;
        }

        public Builder paths(Paths v) {
            paths = v;
            return this;
        }

        public Builder forwarded(Forwarded v) {
            forwarded = v;
            return this;
        }

        public Builder admin(Admin v) {
            admin = v;
            return this;
        }

        public EdgeRules build() {
            return new EdgeRules(paths, forwarded, admin);
        }
    }

    /**
     * @param mergeSlashes {@code //} becomes {@code /} before routing (default true, like nginx: a route or
     *                     rate limit on {@code /api} must not be dodged with {@code //api})
     */
    public record Paths(boolean mergeSlashes) {
        public static final boolean DEFAULT_MERGE_SLASHES = true;

        public static Paths defaults() {
            return new Paths(DEFAULT_MERGE_SLASHES);
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
     * @param tls                    TLS on the admin port ({@code admin.tls}); empty = plain HTTP
     */
    public record Admin(List<String> allowedOrigins, List<String> hosts, boolean requireTokenOnLoopback,
                        Optional<ServerTlsSettings> tls) {
        public Admin {
            allowedOrigins = List.copyOf(allowedOrigins);
            hosts = List.copyOf(hosts);
            Objects.requireNonNull(tls, "tls");
        }

        /** Plain HTTP. */
        public Admin(List<String> allowedOrigins, List<String> hosts, boolean requireTokenOnLoopback) {
            this(allowedOrigins, hosts, requireTokenOnLoopback, Optional.empty());
        }

        public static final boolean DEFAULT_REQUIRE_TOKEN_ON_LOOPBACK = false;

        public static Admin defaults() {
            return new Admin(List.of(), List.of(), DEFAULT_REQUIRE_TOKEN_ON_LOOPBACK);
        }
    }
}
