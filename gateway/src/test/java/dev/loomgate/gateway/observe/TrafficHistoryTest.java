package dev.loomgate.gateway.observe;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrafficHistoryTest {
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final AtomicLong clock = new AtomicLong();
    private final TrafficHistory history = new TrafficHistory(metrics::routeStats, Duration.ofSeconds(2),
            Duration.ofSeconds(10), clock::get);

    private void tick() {
        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        history.sample();
    }

    @Test
    void rateAndP99OverTheWindowFromTheBucketDeltas() {
        history.sample();
        assertEquals(List.of(), history.rates(Duration.ofMinutes(1)), "one sample is no rate");
        TrafficStats a = metrics.route("a");
        for (int i = 0; i < 98; i++) {
            a.record(200, Duration.ofMillis(3).toNanos()); // bucket (2.5 ms, 5 ms]
        }
        a.record(503, Duration.ofMillis(200).toNanos()); // bucket (100 ms, 250 ms]
        a.record(503, Duration.ofMillis(200).toNanos());
        tick();
        TrafficHistory.RouteRate r = history.rates(Duration.ofMinutes(1)).getFirst();
        assertEquals("a", r.route());
        assertEquals(50.0, r.requestsPerSecond(), 1e-9, "100 requests in 2 s");
        assertEquals(1.0, r.serverErrorsPerSecond(), 1e-9);
        // rank 99 of 100: the second of two in (0.1, 0.25] -> 0.1 + 0.15 * 1/2
        assertEquals(175.0, r.p99().orElseThrow().toNanos() / 1e6, 1e-6);
        assertEquals(List.of(50.0), r.series());
    }

    @Test
    void oldSamplesLeaveTheRingAndAQuietRouteHasNoP99() {
        TrafficStats a = metrics.route("a");
        history.sample();
        for (int i = 0; i < 10; i++) {
            a.record(200, Duration.ofMillis(1).toNanos());
        }
        tick();
        for (int i = 0; i < 6; i++) {
            tick(); // 12 s later: the ring (10 s) no longer holds the sample before the requests
        }
        TrafficHistory.RouteRate r = history.rates(Duration.ofMinutes(5)).getFirst();
        assertEquals(0.0, r.requestsPerSecond(), 1e-9);
        assertTrue(r.p99().isEmpty());
        assertEquals(5, r.series().size(), "6 samples kept, 5 intervals");
    }
}
