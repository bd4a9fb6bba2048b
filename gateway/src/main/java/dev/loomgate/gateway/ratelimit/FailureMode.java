package dev.loomgate.gateway.ratelimit;

/** What a policy does while Redis is unreachable or too slow (the breaker is open). */
public enum FailureMode {
    /** Allow every request. */
    FAIL_OPEN,
    /** Reject every request with 429. */
    FAIL_CLOSED,
    /** Limit with a node-local bucket holding this node's share (each bandwidth divided by the live node count). */
    LOCAL
}
