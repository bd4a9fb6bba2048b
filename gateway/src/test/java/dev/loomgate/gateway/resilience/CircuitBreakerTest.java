package dev.loomgate.gateway.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakerTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<String> transitions = new ArrayList<>();
    private final CircuitBreaker breaker = new CircuitBreaker(
            new CircuitBreakerSettings(4, 50, Duration.ofSeconds(10), 2),
            (from, to) -> transitions.add(from + "->" + to), now::get);

    private void outcome(boolean success) {
        assertTrue(breaker.tryAcquire());
        breaker.record(success);
    }

    @Test
    void staysClosedBelowTheRatioAndUntilTheWindowIsFull() {
        outcome(false);
        outcome(false);
        outcome(false); // 3 of 3, but the window (4) is not full yet
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
        outcome(true);  // window: F F F S -> 75% >= 50%
        assertEquals(CircuitBreaker.State.OPEN, breaker.state());
    }

    @Test
    void aSlidingWindowForgetsOldFailures() {
        outcome(false);
        outcome(true);
        outcome(true);
        outcome(true); // F S S S: 25%
        outcome(true); // S S S S
        outcome(false); // S S S F
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
        outcome(false); // S S F F: 50% -> open
        assertEquals(CircuitBreaker.State.OPEN, breaker.state());
    }

    @Test
    void opensRejectsHalfOpensAndCloses() {
        for (int i = 0; i < 4; i++) {
            outcome(false);
        }
        assertEquals(CircuitBreaker.State.OPEN, breaker.state());
        assertFalse(breaker.tryAcquire(), "open: rejected without touching the upstream");
        assertEquals(10, breaker.retryAfter().toSeconds());
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        assertFalse(breaker.tryAcquire());
        assertEquals(4, breaker.retryAfter().toSeconds());
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertEquals(CircuitBreaker.State.HALF_OPEN, breaker.state());
        assertTrue(breaker.tryAcquire(), "first probe");
        assertTrue(breaker.tryAcquire(), "second probe");
        assertFalse(breaker.tryAcquire(), "only half-open-requests probes at a time");
        breaker.record(true);
        assertEquals(CircuitBreaker.State.HALF_OPEN, breaker.state());
        breaker.record(true);
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
        assertEquals(List.of("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED"), transitions);
        // a fresh window after closing: three failures do not reopen it
        outcome(false);
        outcome(false);
        outcome(false);
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
    }

    @Test
    void aFailedProbeReopens() {
        for (int i = 0; i < 4; i++) {
            outcome(false);
        }
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertTrue(breaker.tryAcquire());
        breaker.record(false);
        assertEquals(CircuitBreaker.State.OPEN, breaker.state());
        assertFalse(breaker.tryAcquire());
        assertEquals(List.of("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->OPEN"), transitions);
    }

    @Test
    void aReleasedProbeFreesItsSlot() {
        for (int i = 0; i < 4; i++) {
            outcome(false);
        }
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertTrue(breaker.tryAcquire());
        assertTrue(breaker.tryAcquire());
        breaker.release(); // e.g. the client's body failed: says nothing about the upstream
        assertTrue(breaker.tryAcquire());
    }
}
