package dev.loomgate.gateway.policy.ratelimit;

import java.util.Map;

import dev.loomgate.gateway.pipeline.ConsumerIdentity;
import dev.loomgate.gateway.pipeline.Filter;
import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.FilterFactory;
import dev.loomgate.gateway.pipeline.ParseContext;
import dev.loomgate.gateway.pipeline.Phase;
import dev.loomgate.gateway.ratelimit.RateLimitDecision;
import dev.loomgate.gateway.ratelimit.RateLimitPolicy;
import dev.loomgate.gateway.ratelimit.RateLimitPolicyParser;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.PlainYaml;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * {@code rate-limit:} (route, or the file's {@code default-rate-limit} / {@code default-filters.rate-limit}):
 * takes a token from the node's {@link RateLimitService} for each request; a refused request gets a 429 with
 * Retry-After, every answer the rate-limit headers. See docs/RATE-LIMITS.md.
 */
public final class RateLimitFilterFactory implements FilterFactory<RateLimitPolicy> {
    public static final String KEY = "rate-limit";
    /** Policy id of the routes file's default rate limit (Redis keys and metrics carry it). */
    public static final String DEFAULT_POLICY_ID = "default";

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public Phase phase() {
        return Phase.RATE_LIMIT;
    }

    @Override
    public RateLimitPolicy parse(YamlValue node, ParseContext context) throws ConfigException {
        if (!node.isMapping()) {
            throw node.error("expected a rate-limit mapping (key, limits, ...) or 'off'"
                    + (node.isScalar() ? ", got '" + node.string().strip() + "'" : ""));
        }
        Map<String, Object> map = PlainYaml.mapping(node);
        String id = context.inherited() ? DEFAULT_POLICY_ID : policyIdFor(context.route().id());
        try {
            return RateLimitPolicyParser.parse(id, map, "");
        } catch (IllegalArgumentException e) {
            throw PlainYaml.located(node, "", e);
        }
    }

    @Override
    public Filter create(RateLimitPolicy policy, FilterContext context) {
        RateLimitService service = context.requireService(RateLimitService.class, KEY);
        return (exchange, chain) -> {
            RateLimitDecision decision = service.check(policy, exchange.match(), exchange.request(),
                    exchange.attribute(ConsumerIdentity.ATTRIBUTE).map(ConsumerIdentity::id).orElse(""));
            exchange.onResponseHead(head -> decision.writeHeaders(head.headers()));
            if (decision.allowed()) {
                chain.proceed();
            } else {
                exchange.answer(RateLimitService.problem(decision, exchange.match()));
            }
        };
    }

    /** A route id made safe for Redis key names (policy ids allow {@code A-Z a-z 0-9 . _ / -}, up to 100). */
    static String policyIdFor(String routeId) {
        StringBuilder sb = new StringBuilder(Math.min(routeId.length(), 100));
        for (int i = 0; i < routeId.length() && sb.length() < 100; i++) {
            char c = routeId.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '/' || c == '-';
            sb.append(ok ? c : '_');
        }
        return sb.isEmpty() ? "route" : sb.toString();
    }
}
