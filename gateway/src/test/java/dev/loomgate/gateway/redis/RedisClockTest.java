package dev.loomgate.gateway.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The Redis clock estimate never runs behind a sample, prefers the tightest one, and forgets old ones. */
class RedisClockTest {
    @Test
    void anEstimateIsTheSampleTimePlusWhatElapsedSinceSending() {
        RedisClock clock = new RedisClock();
        assertTrue(clock.upperEstimate().isEmpty(), "nothing before the first sample");
        long sent = System.nanoTime() - 50_000_000L; // a call sent 50 ms ago that read Redis time 1,000,000
        clock.observe(1_000_000, sent);
        long estimate = clock.upperEstimate().orElseThrow();
        assertTrue(estimate >= 1_000_050, "at least the sample plus 50 ms: " + estimate);
        // a slower call (sent 5 s ago, same Redis time read) would estimate later: the tighter sample stays
        clock.observe(1_000_000, System.nanoTime() - 5_000_000_000L);
        assertTrue(clock.upperEstimate().orElseThrow() < 1_004_000, "the tighter sample kept");
        // a tighter one (Redis time read later than the first sample's estimate says) replaces it
        long now = System.nanoTime();
        clock.observe(900_000, now);
        assertEquals(900_000, clock.upperEstimate().orElseThrow(), 1_000);
    }

    @Test
    void aSampleOlderThanItsMaximumAgeIsNotUsed() {
        RedisClock clock = new RedisClock();
        clock.observe(1_000_000, System.nanoTime() - RedisClock.MAX_AGE_NANOS - 1_000_000L);
        assertTrue(clock.upperEstimate().isEmpty());
        clock.observe(2_000_000, System.nanoTime()); // any sample replaces a too-old one
        assertEquals(2_000_000, clock.upperEstimate().orElseThrow(), 1_000);
    }
}
