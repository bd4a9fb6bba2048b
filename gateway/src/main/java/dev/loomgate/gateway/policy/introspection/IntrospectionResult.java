package dev.loomgate.gateway.policy.introspection;

import java.util.Map;
import java.util.OptionalLong;

/**
 * What the IdP said about a token (RFC 7662 section 2.2).
 *
 * @param active whether the token is active
 * @param claims the other members (sub, client_id, scope, exp, ...), as strings, numbers or lists
 */
record IntrospectionResult(boolean active, Map<String, Object> claims) {
    static final IntrospectionResult INACTIVE = new IntrospectionResult(false, Map.of());

    IntrospectionResult {
        claims = Map.copyOf(claims);
    }

    /** {@code exp} in epoch seconds, when given. */
    OptionalLong exp() {
        return claims.get("exp") instanceof Number n ? OptionalLong.of(n.longValue()) : OptionalLong.empty();
    }
}
