package dev.loomgate.gateway.resilience;

import java.util.Objects;

/** The resilience settings of one route: its timeouts (over the upstream's) and retry policy. */
public record RouteResilience(Timeouts timeouts, RetryPolicy retries) {
    public static final RouteResilience DEFAULTS = new RouteResilience(Timeouts.NONE, RetryPolicy.NONE);

    public RouteResilience {
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(retries, "retries");
    }
}
