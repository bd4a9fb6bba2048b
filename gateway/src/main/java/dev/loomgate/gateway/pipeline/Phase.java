package dev.loomgate.gateway.pipeline;

/**
 * Where a filter runs in a route's chain. Phases run in declaration order; within a phase, filters run in
 * the order their factories were registered ({@link FilterRegistry}). The order is fixed so that a route's
 * YAML key order never changes behaviour: an IP denial happens before CORS, CORS preflights are answered
 * before authentication (they carry no credentials), a rate limit counts only authenticated callers, and
 * transformations run last, on a request that is known to go upstream.
 */
public enum Phase {
    /** Who may call at all (e.g. {@code ip-access}). */
    ACCESS_CONTROL,
    /** Cross-origin rules; answers preflights (e.g. {@code cors}). */
    CORS,
    /** Who the caller is (e.g. JWT, OAuth2 introspection). */
    AUTHENTICATION,
    /** Server-side sessions; before the rate limit so that a session's logged-in user is the consumer it counts. */
    SESSION,
    /** How often the caller may call (e.g. {@code rate-limit}). */
    RATE_LIMIT,
    /** Response cache lookups and stores. */
    CACHE,
    /** Changes to the request sent upstream and the response sent back (rewrite, header operations). */
    REQUEST_TRANSFORMATION
}
