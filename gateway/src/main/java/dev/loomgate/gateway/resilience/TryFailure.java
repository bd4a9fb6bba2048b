package dev.loomgate.gateway.resilience;

import java.util.Optional;

/**
 * A failed try as the retry rules see it. The upstream client's failure kinds implement it, so
 * this package does not depend on the client (which depends on the upstream package, which
 * depends on this one).
 */
public interface TryFailure {
    /** True when the upstream cannot have received any byte of the request. */
    boolean nothingSent();

    /** The retry condition the failure falls under; empty when no retry can fix it. */
    Optional<RetryPolicy.Condition> retryCondition();
}
