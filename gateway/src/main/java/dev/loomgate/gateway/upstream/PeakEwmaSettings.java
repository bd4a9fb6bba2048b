package dev.loomgate.gateway.upstream;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the {@code peak-ewma} balancer.
 *
 * @param decayTime τ of the moving average: an observation's weight falls to 1/e after this long.
 *                  Shorter reacts faster to an endpoint that got fast again (it is probed after
 *                  about {@code τ × ln(slow/fast)}); longer remembers a slow endpoint longer
 */
public record PeakEwmaSettings(Duration decayTime) {
    /** Finagle's, Linkerd's and APISIX's default. */
    public static final Duration DEFAULT_DECAY_TIME = Duration.ofSeconds(10);
    public static final PeakEwmaSettings DEFAULTS = new PeakEwmaSettings(DEFAULT_DECAY_TIME);

    public PeakEwmaSettings {
        Objects.requireNonNull(decayTime, "decayTime");
        if (decayTime.toMillis() < 1) {
            throw new IllegalArgumentException("decay-time must be at least 1ms, got " + decayTime);
        }
    }

    public long decayNanos() {
        return decayTime.toNanos();
    }
}
