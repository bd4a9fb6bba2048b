package dev.loomgate.consul.standin.api;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * ACL enforcement as Consul does it with {@code acl { enabled = true, default_policy = "deny" }} (SPEC §1a): the
 * anonymous token (no token sent) has no rights, an unknown token is refused with "ACL not found", a token without the
 * right with "Permission denied", both 403. Tokens: one management token (every right) and optional tokens with read
 * or write rights on everything (the stand-in does not model per-prefix rules).
 */
public record AclPolicy(String managementToken, Map<String, Access> tokens) {
    /** What a non-management token may do. */
    public enum Access {
        /** GET on KV, catalog, health, agent, sessions. */
        READ,
        /** Reads and writes. */
        WRITE
    }

    public AclPolicy {
        Objects.requireNonNull(managementToken, "managementToken");
        if (managementToken.isBlank()) {
            throw new IllegalArgumentException("the management token must not be blank");
        }
        tokens = Map.copyOf(tokens);
    }

    /** Only a management token. */
    public static AclPolicy management(String token) {
        return new AclPolicy(token, Map.of());
    }

    /**
     * Why the request is refused, or empty when it may go on. {@code token} is empty for the anonymous token;
     * {@code write} marks requests that change state; {@code resource} names what is touched in the message.
     */
    Optional<String> refusal(Optional<String> token, boolean write, String resource) {
        if (token.isPresent()) {
            String t = token.get();
            if (t.equals(managementToken)) {
                return Optional.empty();
            }
            Access access = tokens.get(t);
            if (access == null) {
                return Optional.of("ACL not found");
            }
            if (!write || access == Access.WRITE) {
                return Optional.empty();
            }
            return Optional.of("Permission denied: token lacks permission '" + resource + ":write'");
        }
        return Optional.of("Permission denied: anonymous token lacks permission '" + resource + ":"
                + (write ? "write" : "read") + "'");
    }
}
