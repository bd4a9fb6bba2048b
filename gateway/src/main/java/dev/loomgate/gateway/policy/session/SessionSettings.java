package dev.loomgate.gateway.policy.session;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.loomgate.gateway.policy.auth.SecretRef;
import dev.loomgate.gateway.redis.RedisSessionStore;

/**
 * A route's {@code session:} filter, parsed and checked (see docs/SESSIONS.md for every key).
 *
 * @param cookie            the cookie's name and attributes
 * @param keys              the signing keys: the first is the primary, the rest are accepted fallbacks
 * @param timeouts          idle, rolling (one id's lifetime) and absolute (the session's lifetime)
 * @param renewalGrace      how long a renewed (rolling) id still redirects to its successor
 * @param required          no valid session: 401 (or an OIDC login) instead of a new session
 * @param failClosed        Redis down: 503 (true) or go on without a session (false)
 * @param forwardAttributes session attribute by upstream request header
 * @param upstreamControl   whether the upstream may set/remove attributes and rotate via response headers
 * @param rotate            rotate the id on every request of this route (an explicit "rotate" route action)
 * @param maxAttributes     most fields a session may hold
 * @param localCache        how long a node may serve a session from its own copy without asking Redis (0: never)
 * @param clientCache       serve plain reads from this node's Redis-tracked copy (standalone and Sentinel only)
 * @param createOnWrite     create a session only when the upstream first writes to it (not for every cookieless request)
 * @param oidc              the OIDC login (backend-for-frontend), when configured
 */
public record SessionSettings(CookieSettings cookie, List<KeyRef> keys, RedisSessionStore.Timeouts timeouts,
                              Duration renewalGrace, boolean required, boolean failClosed,
                              Map<String, String> forwardAttributes, boolean upstreamControl, boolean rotate,
                              int maxAttributes, Duration localCache, boolean clientCache, boolean createOnWrite,
                              Optional<OidcSettings> oidc) {
    /** The shortest signing secret accepted. */
    public static final int MIN_SECRET_LENGTH = 32;

    /** A signing key: its id and where its secret is. */
    public record KeyRef(String id, SecretRef secret) {
    }

    public SessionSettings {
        Objects.requireNonNull(cookie, "cookie");
        keys = List.copyOf(keys);
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(renewalGrace, "renewalGrace");
        forwardAttributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(forwardAttributes));
        Objects.requireNonNull(localCache, "localCache");
        Objects.requireNonNull(oidc, "oidc");
    }

    /**
     * The keyring, secrets read from their files or the environment.
     *
     * @throws IllegalArgumentException naming the reference when a secret cannot be read or is too short
     */
    public SessionKeyring resolveKeyring(Map<String, String> environment) {
        List<SessionKeyring.Key> resolved = new ArrayList<>();
        for (KeyRef k : keys) {
            resolved.add(new SessionKeyring.Key(k.id(), k.secret().resolve(environment, MIN_SECRET_LENGTH)
                    .getBytes(StandardCharsets.UTF_8)));
        }
        return new SessionKeyring(resolved.getFirst(), resolved.subList(1, resolved.size()));
    }
}
