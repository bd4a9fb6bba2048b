package dev.loomgate.gateway.policy.jwt;

import java.util.Optional;
import java.util.logging.Logger;

import dev.loomgate.gateway.pipeline.Filter;
import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.FilterFactory;
import dev.loomgate.gateway.pipeline.ParseContext;
import dev.loomgate.gateway.pipeline.Phase;
import dev.loomgate.gateway.policy.auth.CredentialSource;
import dev.loomgate.gateway.policy.auth.IdentityForwarding;
import dev.loomgate.gateway.policy.auth.RefusalLog;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * {@code jwt:} admits a request that carries a JWT signed by a configured issuer with a pinned algorithm, valid
 * now (with the clock skew), for an accepted audience, with the required claims and claim values. The consumer
 * ({@code sub}, else {@code client_id}) and scopes become the request's {@code ConsumerIdentity}. A refusal is a
 * 401 (403 for a missing scope or claim value) problem+json with an RFC 6750 challenge, and nothing goes
 * upstream. See docs/SECURITY.md, "Identity and access".
 */
public final class JwtFilterFactory implements FilterFactory<JwtSettings> {
    public static final String KEY = "jwt";
    private static final Logger LOG = Logger.getLogger(JwtFilterFactory.class.getName());

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public Phase phase() {
        return Phase.AUTHENTICATION;
    }

    @Override
    public JwtSettings parse(YamlValue node, ParseContext context) throws ConfigException {
        return JwtParser.parse(node);
    }

    @Override
    public Filter create(JwtSettings settings, FilterContext context) {
        KeySets keySets = context.service(KeySets.class).orElseGet(KeySets::new);
        JwtVerifier verifier = new JwtVerifier(settings, keySets);
        IdentityForwarding forwarding = settings.options().forwarding();
        RefusalLog refusals = new RefusalLog(LOG, KEY, context.routeId());
        return (exchange, chain) -> {
            Optional<CredentialSource.Located> token = settings.options().locate(exchange, JwtVerifier.SCHEME, "token");
            if (token.isEmpty()) {
                return;
            }
            switch (verifier.verify(token.get())) {
                case JwtVerifier.Result.Admitted a -> {
                    forwarding.admit(exchange, a.identity(), settings.options().source());
                    chain.proceed();
                }
                case JwtVerifier.Result.Refused r -> {
                    refusals.refused(exchange.requestId(), r::reason); // the reason, never the token
                    r.challenge().answer(exchange);
                }
            }
        };
    }
}
