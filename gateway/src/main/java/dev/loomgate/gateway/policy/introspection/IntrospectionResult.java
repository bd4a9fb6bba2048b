package dev.loomgate.gateway.policy.introspection;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;

/**
 * What the IdP said about a token (RFC 7662 section 2.2).
 *
 * @param active whether the token is active
 * @param claims the other members (sub, client_id, scope, exp, ...), as strings, numbers, booleans or lists
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

    /** The answer as the IdP's JSON again (for the shared store); {@link IntrospectionClient#parse} reads it back. */
    String toJson() {
        JsonObjectBuilder o = Json.createObjectBuilder().add("active", active);
        for (Map.Entry<String, Object> e : claims.entrySet()) {
            switch (e.getValue()) {
                case String s -> o.add(e.getKey(), s);
                case Long l -> o.add(e.getKey(), l);
                case Double d -> o.add(e.getKey(), d);
                case Boolean b -> o.add(e.getKey(), b);
                case List<?> list -> {
                    JsonArrayBuilder a = Json.createArrayBuilder();
                    list.forEach(item -> a.add(String.valueOf(item)));
                    o.add(e.getKey(), a);
                }
                default -> o.add(e.getKey(), String.valueOf(e.getValue()));
            }
        }
        return o.build().toString();
    }
}
