package dev.loomgate.gateway.call;

import java.time.Duration;
import java.util.Optional;

import dev.loomgate.gateway.client.UpstreamException;
import dev.loomgate.gateway.client.UpstreamResponse;
import dev.loomgate.gateway.http.Problem;

/** How one try ended. */
public sealed interface TryOutcome {
    /** The endpoint answered with a response head (any status). */
    record Responded(UpstreamResponse response) implements TryOutcome {
    }

    /** The exchange failed; the kind says whose fault and whether the upstream can have seen anything. */
    record Threw(UpstreamException failure) implements TryOutcome {
    }

    /**
     * Nothing was sent and the request ends with this problem: an open circuit breaker, or no
     * time left of the total timeout.
     */
    record NotSent(Problem problem, Optional<Duration> retryAfter) implements TryOutcome {
    }
}
