package dev.loomgate.gateway.consul;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter: attempt n waits a random time in [d/2, d], d = min(max, base * 2^(n-1)). */
public record Backoff(Duration base, Duration max) {
    public static Backoff defaults() {
        return new Backoff(Duration.ofMillis(250), Duration.ofSeconds(10));
    }

    public Duration delay(int failures) {
        long d = base.toMillis() << Math.min(20, Math.max(0, failures - 1));
        d = Math.min(d, max.toMillis());
        long half = d / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }
}
