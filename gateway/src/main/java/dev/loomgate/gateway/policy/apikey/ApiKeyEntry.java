package dev.loomgate.gateway.policy.apikey;

import java.util.List;
import java.util.Objects;

/**
 * One stored key: its id (the {@code lgk_<id>_...} part), its hash, and who it belongs to.
 *
 * @param id       the key id
 * @param hash     HMAC-SHA256 or SHA-256 of the whole key (32 bytes)
 * @param consumer the consumer name the key authenticates as
 * @param scopes   scopes granted to the consumer
 */
public record ApiKeyEntry(String id, byte[] hash, String consumer, List<String> scopes) {
    public ApiKeyEntry {
        Objects.requireNonNull(id, "id");
        hash = hash.clone();
        Objects.requireNonNull(consumer, "consumer");
        scopes = List.copyOf(scopes);
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    /** Never prints the hash. */
    @Override
    public String toString() {
        return "ApiKeyEntry[id=" + id + ", consumer=" + consumer + ", scopes=" + scopes + "]";
    }
}
