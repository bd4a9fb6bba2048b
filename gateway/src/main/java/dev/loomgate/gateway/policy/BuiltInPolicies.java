package dev.loomgate.gateway.policy;

import dev.loomgate.gateway.policy.async.AsyncTerminalFactory;
import dev.loomgate.gateway.pipeline.FilterRegistry;
import dev.loomgate.gateway.policy.cache.CacheFilterFactory;
import dev.loomgate.gateway.policy.cors.CorsFilterFactory;
import dev.loomgate.gateway.policy.apikey.ApiKeyFilterFactory;
import dev.loomgate.gateway.policy.headers.HeaderOpsFilterFactory;
import dev.loomgate.gateway.policy.introspection.IntrospectionFilterFactory;
import dev.loomgate.gateway.policy.ipaccess.IpAccessFilterFactory;
import dev.loomgate.gateway.policy.jwt.JwtFilterFactory;
import dev.loomgate.gateway.policy.ratelimit.RateLimitFilterFactory;
import dev.loomgate.gateway.policy.rewrite.RewriteFilterFactory;
import dev.loomgate.gateway.policy.session.SessionFilterFactory;
import dev.loomgate.gateway.saga.SagaStatusFactory;
import dev.loomgate.gateway.saga.SagaTerminalFactory;

/**
 * The policies every node knows, by route key. A new policy is one line here (plus its own package, tests and
 * docs); the order is the run order within a phase (see {@link dev.loomgate.gateway.pipeline.Phase}).
 */
public final class BuiltInPolicies {
    private static final FilterRegistry REGISTRY = FilterRegistry.builder()
            .filter(new RewriteFilterFactory())
            .filter(HeaderOpsFilterFactory.request())
            .filter(HeaderOpsFilterFactory.response())
            .filter(new RateLimitFilterFactory())
            .filter(new IpAccessFilterFactory())
            .filter(new CorsFilterFactory())
            .filter(new ApiKeyFilterFactory())
            .filter(new JwtFilterFactory())
            .filter(new IntrospectionFilterFactory())
            .terminal(new AsyncTerminalFactory())
            .filter(new SessionFilterFactory())
            .terminal(SagaTerminalFactory.saga())
            .terminal(SagaTerminalFactory.tcc())
            .terminal(new SagaStatusFactory())
            .filter(new CacheFilterFactory())
            .build();

    private BuiltInPolicies() {
    }

    public static FilterRegistry registry() {
        return REGISTRY;
    }
}
