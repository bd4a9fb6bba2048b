package dev.loomgate.gateway.resilience;

import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;

import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-try and total timeouts answer 504 problem+json; a timed-out connection is not reused. */
class TimeoutsTest {
    private TestUpstream slow;
    private TestGateway gw;

    @BeforeEach
    void setUp() throws Exception {
        slow = TestUpstream.start("slow");
        gw = TestGateway.start("""
                upstreams:
                  - name: slow
                    endpoints: [ %s ]
                    timeouts: { response: 300ms }
                  - name: slow-total
                    endpoints: [ %s ]
                routes:
                  - id: per-upstream
                    upstream: slow
                    match: { path-prefix: /u }
                  - id: route-wins
                    upstream: slow
                    match: { path-prefix: /r }
                    timeouts: { response: 1500ms }
                  - id: total
                    upstream: slow-total
                    match: { path-prefix: /t }
                    timeouts: { response: 300ms, total: 500ms }
                    retries: { attempts: 5, on: [timeout] }
                """.formatted(slow.address(), slow.address()));
    }

    @AfterEach
    void tearDown() {
        gw.close();
        slow.close();
    }

    @Test
    void theUpstreamsResponseTimeoutAppliesWhenTheRouteHasNone() throws Exception {
        slow.behave(Behaviors.slow(800, "slow"));
        HttpResponse<String> r = gw.get("/u/1");
        assertEquals(504, r.statusCode());
        assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""));
        assertTrue(r.body().contains("upstream-timeout"), r.body());
        // the route's own timeout wins over the upstream's
        assertEquals(200, gw.get("/r/1").statusCode());
        // the timed-out connection was discarded: a fresh one answers the next request properly
        slow.behave(Behaviors.ok("slow"));
        HttpResponse<String> next = gw.get("/u/2");
        assertEquals(200, next.statusCode());
        assertEquals("slow GET /u/2", next.body());
    }

    @Test
    void theTotalTimeoutBoundsAllTries() throws Exception {
        AtomicInteger hits = Net.counting(slow, Behaviors.hang());
        long start = System.nanoTime();
        HttpResponse<String> r = gw.get("/t/1");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(504, r.statusCode());
        assertTrue(r.body().contains("upstream-timeout"), r.body());
        assertTrue(hits.get() <= 2, "300 ms tries within a 500 ms total: at most two, was " + hits.get());
        assertTrue(ms < 5000, "answered long before 5 tries x 300 ms would allow plus slack: " + ms);
    }
}
