package dev.loomgate.gateway.policy.apikey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.loomgate.gateway.policy.auth.AuthOptions;
import dev.loomgate.gateway.policy.auth.SecretRef;

/**
 * A route's {@code api-key:} filter, parsed and checked.
 *
 * @param method         how the stored hashes were made
 * @param pepper         where the HMAC key is ({@code pepper-file} or {@code pepper-env}); empty for SHA-256
 * @param keys           the stored keys by id
 * @param fromConsul     whether keys from Consul KV ({@code keys-from: consul}) count too
 * @param requiredScopes scopes a key must grant to use the route (else 403)
 * @param options        where the key is and what goes upstream
 */
public record ApiKeySettings(ApiKeys.HashMethod method, Optional<SecretRef> pepper, Map<String, ApiKeyEntry> keys,
                             boolean fromConsul, List<String> requiredScopes, AuthOptions options) {
    public ApiKeySettings {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pepper, "pepper");
        keys = Map.copyOf(keys);
        requiredScopes = List.copyOf(requiredScopes);
        Objects.requireNonNull(options, "options");
    }

    /** The shortest pepper accepted. */
    public static final int MIN_PEPPER_LENGTH = 16;

    /**
     * The pepper's bytes, read from where {@link #pepper} says; empty for SHA-256.
     *
     * @throws IllegalArgumentException when it cannot be read (with the reference's file:line)
     */
    public byte[] resolvePepper() {
        return pepper.map(p -> p.resolve(System.getenv(), MIN_PEPPER_LENGTH).getBytes(StandardCharsets.UTF_8))
                .orElse(new byte[0]);
    }

    /**
     * The entry a presented key belongs to, compared in constant time. An unknown id or a malformed key still
     * costs one hash and one comparison, so timing does not tell which ids exist.
     *
     * @param pepper the resolved pepper ({@link #resolvePepper})
     */
    public Optional<ApiKeyEntry> match(String presented, byte[] pepper) {
        return match(presented, pepper, ApiKeyDirectory.none());
    }

    /** As {@link #match(String, byte[])}, also looking in the keys from Consul. */
    public Optional<ApiKeyEntry> match(String presented, byte[] pepper, ApiKeyDirectory directory) {
        Optional<String> id = ApiKeys.id(presented);
        ApiKeyEntry entry = id.flatMap(i -> Optional.ofNullable(keys.get(i))
                .or(() -> fromConsul ? directory.find(i) : Optional.empty())).orElse(null);
        byte[] actual = ApiKeys.hash(presented, method, pepper);
        byte[] expected = entry == null ? new byte[actual.length] : entry.hash();
        boolean equal = MessageDigest.isEqual(actual, expected);
        return equal && entry != null ? Optional.of(entry) : Optional.empty();
    }

    /** Never prints hashes. */
    @Override
    public String toString() {
        return "ApiKeySettings[method=" + method.configName() + ", keys=" + keys.keySet() + "]";
    }
}
