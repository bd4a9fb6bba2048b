package dev.loomgate.gateway.policy.introspection;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.loomgate.gateway.pipeline.ConsumerIdentity;
import dev.loomgate.gateway.pipeline.Exchange;
import dev.loomgate.gateway.pipeline.Filter;
import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.FilterFactory;
import dev.loomgate.gateway.pipeline.ParseContext;
import dev.loomgate.gateway.pipeline.Phase;
import dev.loomgate.gateway.policy.auth.Challenge;
import dev.loomgate.gateway.policy.auth.IdentityForwarding;
import dev.loomgate.gateway.policy.auth.RefusalLog;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * {@code oauth2-introspection:} admits a request whose (opaque) token the IdP's RFC 7662 endpoint calls active.
 * Answers are cached per node under SHA-256 of the token: active ones until min(token exp, {@code cache-ttl}),
 * inactive ones for {@code negative-cache-ttl}. When the IdP cannot answer within {@code timeout} (down, slow,
 * garbage, our credentials refused) the request gets a 503 {@code identity-provider-unavailable} with
 * Retry-After: the token may be good, so it is not called invalid. See docs/SECURITY.md.
 */
public final class IntrospectionFilterFactory implements FilterFactory<IntrospectionSettings> {
    public static final String KEY = "oauth2-introspection";
    static final String SCHEME = "Bearer";
    private static final Logger LOG = Logger.getLogger(IntrospectionFilterFactory.class.getName());

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public Phase phase() {
        return Phase.AUTHENTICATION;
    }

    @Override
    public IntrospectionSettings parse(YamlValue node, ParseContext context) throws ConfigException {
        return IntrospectionParser.parse(node);
    }

    @Override
    public Filter create(IntrospectionSettings settings, FilterContext context) {
        IntrospectionCache cache = context.service(IntrospectionCache.class)
                .orElseGet(() -> new IntrospectionCache(IntrospectionCache.DEFAULT_MAX_ENTRIES));
        String secret = settings.clientSecret().resolve(); // a node without it rejects this routes version
        String scope = cache.scope(settings);
        IdentityForwarding forwarding = settings.options().forwarding();
        String routeId = context.routeId();
        RefusalLog refusals = new RefusalLog(LOG, KEY, routeId);
        return (exchange, chain) -> {
            Optional<String> token = settings.options().credential(exchange, SCHEME, "token");
            if (token.isEmpty()) {
                return;
            }
            if (token.get().length() > IntrospectionSettings.MAX_TOKEN_SIZE) {
                Challenge.invalid(SCHEME, "token too large").answer(exchange);
                return;
            }
            String key = IntrospectionCache.key(scope, token.get());
            IntrospectionResult result;
            Optional<IntrospectionResult> cached = cache.find(key);
            if (cached.isPresent()) {
                result = cached.get();
            } else {
                try {
                    result = cache.singleFlight(key, settings.timeout(),
                            () -> IntrospectionClient.introspect(cache.http(), settings, secret, token.get()));
                } catch (IntrospectionClient.Unavailable e) {
                    LOG.log(Level.WARNING, () -> "introspection for route '" + routeId + "' failed: " + e.getMessage());
                    exchange.onResponseHead(head -> head.headers().set("Retry-After", "1"));
                    Challenge.unavailable(SCHEME, "the identity provider did not answer; retry later").answer(exchange);
                    return;
                }
                cache.store(key, result, ttl(result, settings)); // each waiter stores the same answer: harmless
            }
            decide(exchange, chain, settings, forwarding, result, refusals);
        };
    }

    /** Active: until the token expires, at most cache-ttl; inactive: negative-cache-ttl. */
    static Duration ttl(IntrospectionResult result, IntrospectionSettings settings) {
        if (!result.active()) {
            return settings.negativeCacheTtl();
        }
        Duration ttl = settings.cacheTtl();
        if (result.exp().isPresent()) {
            Duration left = Duration.between(Instant.now(), Instant.ofEpochSecond(result.exp().getAsLong()));
            ttl = left.compareTo(ttl) < 0 ? left : ttl;
        }
        return ttl;
    }

    private static void decide(Exchange exchange, dev.loomgate.gateway.pipeline.FilterChain chain,
                               IntrospectionSettings settings, IdentityForwarding forwarding,
                               IntrospectionResult result, RefusalLog refusals) {
        if (!result.active()) {
            refusals.refused(exchange.requestId(), () -> "token not active");
            Challenge.invalid(SCHEME, "token is not active").answer(exchange);
            return;
        }
        // an IdP may call an expired token active for a moment (its clock, our cache): exp is checked here too
        if (result.exp().isPresent() && result.exp().getAsLong() <= Instant.now().getEpochSecond()) {
            Challenge.invalid(SCHEME, "token expired").answer(exchange);
            return;
        }
        for (Map.Entry<String, List<String>> want : settings.claimValues().entrySet()) {
            List<String> have = IdentityForwarding.scopes(result.claims().get(want.getKey()));
            for (String v : want.getValue()) {
                if (!have.contains(v)) {
                    refusals.refused(exchange.requestId(), () -> "claim " + want.getKey() + " lacks a required value");
                    Challenge.insufficient(SCHEME, "token lacks " + want.getKey() + " '" + v + "'",
                            want.getKey().equals("scope") ? String.join(" ", want.getValue()) : "").answer(exchange);
                    return;
                }
            }
        }
        String id = result.claims().get("sub") instanceof String s && !s.isBlank() ? s
                : result.claims().get("client_id") instanceof String c && !c.isBlank() ? c : "";
        if (id.isEmpty()) {
            Challenge.invalid(SCHEME, "token has no subject").answer(exchange);
            return;
        }
        String iss = result.claims().get("iss") instanceof String s ? s : "";
        forwarding.admit(exchange, new ConsumerIdentity(id, IdentityForwarding.scopes(result.claims().get("scope")),
                KEY, iss), settings.options().source());
        chain.proceed();
    }
}
