package dev.loomgate.gateway.call;

import java.time.Duration;
import java.util.Optional;

import dev.loomgate.gateway.client.UpstreamResponse;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.upstream.UpstreamHost;

/** How one call to an upstream (all its tries) ended. */
public sealed interface CallOutcome {
    /**
     * An upstream response to relay; {@link #finished()} must run after relaying (releases the
     * endpoint's and the upstream's in-flight counts). Once relaying starts nothing is retried.
     */
    record Answered(UpstreamResponse response, UpstreamHost host, Runnable finished) implements CallOutcome {
    }

    /** No response to relay: answer this problem (with Retry-After when present). */
    record Failed(Problem problem, Optional<Duration> retryAfter) implements CallOutcome {
        public Failed(Problem problem) {
            this(problem, Optional.empty());
        }
    }
}
