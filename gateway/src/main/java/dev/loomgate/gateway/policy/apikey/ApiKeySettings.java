package dev.loomgate.gateway.policy.apikey;

import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.loomgate.gateway.policy.auth.AuthOptions;

/**
 * A route's {@code api-key:} filter, parsed and checked.
 *
 * @param method         how the stored hashes were made
 * @param pepper         the HMAC key (empty for SHA-256), from {@code pepper-file} or {@code pepper-env}
 * @param keys           the stored keys by id
 * @param requiredScopes scopes a key must grant to use the route (else 403)
 * @param options        where the key is and what goes upstream
 */
public record ApiKeySettings(ApiKeys.HashMethod method, byte[] pepper, Map<String, ApiKeyEntry> keys,
                             List<String> requiredScopes, AuthOptions options) {
    public ApiKeySettings {
        Objects.requireNonNull(method, "method");
        pepper = pepper.clone();
        keys = Map.copyOf(keys);
        requiredScopes = List.copyOf(requiredScopes);
        Objects.requireNonNull(options, "options");
    }

    /**
     * The entry a presented key belongs to, compared in constant time. An unknown id or a malformed key still
     * costs one hash and one comparison, so timing does not tell which ids exist.
     */
    public Optional<ApiKeyEntry> match(String presented) {
        Optional<String> id = ApiKeys.id(presented);
        ApiKeyEntry entry = id.map(keys::get).orElse(null);
        byte[] actual = ApiKeys.hash(presented, method, pepper);
        byte[] expected = entry == null ? new byte[actual.length] : entry.hash();
        boolean equal = MessageDigest.isEqual(actual, expected);
        return equal && entry != null ? Optional.of(entry) : Optional.empty();
    }

    @Override
    public byte[] pepper() {
        return pepper.clone();
    }

    /** Never prints the pepper or hashes. */
    @Override
    public String toString() {
        return "ApiKeySettings[method=" + method.configName() + ", keys=" + keys.keySet() + "]";
    }
}
