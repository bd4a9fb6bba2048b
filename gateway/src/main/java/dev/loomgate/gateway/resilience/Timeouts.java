package dev.loomgate.gateway.resilience;

import java.time.Duration;
import java.util.Optional;

/**
 * Timeouts of one forwarded request; an empty field falls back to the next level
 * (route, then upstream, then the node's {@code upstream:} client settings).
 *
 * @param connect  TCP connect (and waiting for a pooled connection) per try
 * @param response waiting for the response head per try, and between body reads
 * @param total    all tries together, until the response head of the last one; empty = unbounded
 */
public record Timeouts(Optional<Duration> connect, Optional<Duration> response, Optional<Duration> total) {
    public static final Timeouts NONE = new Timeouts(Optional.empty(), Optional.empty(), Optional.empty());

    /** This value with each empty field taken from {@code fallback}. */
    public Timeouts or(Timeouts fallback) {
        return new Timeouts(connect.or(fallback::connect), response.or(fallback::response), total.or(fallback::total));
    }
}
