package dev.loomgate.gateway.pipeline;

import java.util.List;
import java.util.Objects;

/**
 * Who the caller is, as the authentication filter that admitted the request established it ({@code jwt},
 * {@code oauth2-introspection}, {@code api-key}). Later filters read it from {@link #ATTRIBUTE}: the rate limit
 * ({@code key: consumer}), the access log ({@code consumer}) and the headers forwarded upstream.
 *
 * @param id     the consumer: a JWT's {@code sub}, introspection's {@code sub} (else {@code client_id}), an API
 *               key's consumer name; never blank
 * @param scopes the granted scopes (JWT / introspection {@code scope}, an API key's {@code scopes}), in order
 * @param method which filter authenticated it: {@code jwt}, {@code oauth2-introspection} or {@code api-key}
 * @param issuer the token's issuer, or the API key's key id; may be empty
 */
public record ConsumerIdentity(String id, List<String> scopes, String method, String issuer) {
    public static final Attribute<ConsumerIdentity> ATTRIBUTE = Attribute.create("consumer", ConsumerIdentity.class);

    public ConsumerIdentity {
        Objects.requireNonNull(id, "id");
        if (id.isBlank()) {
            throw new IllegalArgumentException("consumer id must not be blank");
        }
        scopes = List.copyOf(scopes);
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(issuer, "issuer");
    }
}
