package dev.loomgate.gateway.policy.auth;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.loomgate.gateway.pipeline.Exchange;

import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * The keys every authentication filter has: {@code from} (where the credential is), {@code forward-headers}
 * and {@code forward-credential} (what goes upstream).
 */
public record AuthOptions(CredentialSource source, IdentityForwarding forwarding) {
    public static final List<String> KEYS = List.of("from", "forward-headers", "forward-credential");

    public AuthOptions {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(forwarding, "forwarding");
    }

    /**
     * The first step of every authentication filter: removes the client's own copies of the identity headers,
     * then finds the credential. Without one, answers 401 with a {@code scheme} challenge naming where it was
     * looked for ({@code what}: "token", "API key") and returns empty: the filter then stops.
     */
    public Optional<String> credential(Exchange exchange, String scheme, String what) {
        return locate(exchange, scheme, what).map(CredentialSource.Located::value);
    }

    /** {@link #credential}, leaving the credential in place in the request's text (no copy). */
    public Optional<CredentialSource.Located> locate(Exchange exchange, String scheme, String what) {
        forwarding.stripClientCopies(exchange);
        Optional<CredentialSource.Located> credential = source.locate(exchange.request());
        if (credential.isEmpty()) {
            Challenge.missing(scheme, "no " + what + " in " + source.describe()).answer(exchange);
        }
        return credential;
    }

    /**
     * @param fields        the filter's checked fields
     * @param defaultSource where the credential is when {@code from} is absent
     * @param queryAllowed  whether {@code query:NAME} may be used (API keys only: a bearer token in a URL ends
     *                      up in logs and browser history)
     */
    public static AuthOptions parse(YamlValue.Fields fields, CredentialSource defaultSource, boolean queryAllowed)
            throws ConfigException {
        CredentialSource source = defaultSource;
        if (fields.has("from")) {
            YamlValue from = fields.required("from");
            try {
                source = CredentialSource.parse(from.nonBlankString(), queryAllowed);
            } catch (IllegalArgumentException e) {
                throw from.error(e.getMessage());
            }
        }
        Map<String, String> headers = fields.has("forward-headers")
                ? IdentityForwarding.parseHeaders(fields.required("forward-headers")) : Map.of();
        boolean forwardCredential = fields.optional("forward-credential").isEmpty()
                || fields.required("forward-credential").bool();
        return new AuthOptions(source, new IdentityForwarding(headers, forwardCredential));
    }
}
