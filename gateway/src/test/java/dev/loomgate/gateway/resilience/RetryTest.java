package dev.loomgate.gateway.resilience;

import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;

import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.RefusingPort;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retries through a real node against misbehaving upstreams: safe, bounded, elsewhere. */
class RetryTest {
    private TestUpstream a;
    private TestUpstream b;
    private TestGateway gw;

    @BeforeEach
    void setUp() throws Exception {
        a = TestUpstream.start("a");
        b = TestUpstream.start("b");
    }

    @AfterEach
    void tearDown() {
        if (gw != null) {
            gw.close();
        }
        a.close();
        b.close();
    }

    private void start(String retries, String... endpoints) throws Exception {
        gw = TestGateway.start("""
                upstreams:
                  - name: pair
                    endpoints: [ %s ]
                routes:
                  - id: api
                    upstream: pair
                    timeouts: { response: 2s }
                    retries: %s
                """.formatted(String.join(", ", endpoints), retries));
    }

    private long metric(String name, String labels) {
        return gw.node().resilienceMetrics().count(name, labels);
    }

    @Test
    void anIdempotentRequestIsRetriedOnAnotherEndpointAfter503() throws Exception {
        AtomicInteger hitsA = Net.counting(a, Behaviors.status(503, "a"));
        AtomicInteger hitsB = Net.counting(b, Behaviors.ok("b"));
        start("{ attempts: 2 }", a.address(), b.address());
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = gw.get("/x" + i);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().startsWith("b GET"), r.body());
        }
        assertEquals(6, hitsB.get());
        assertTrue(hitsA.get() >= 1 && hitsA.get() <= 6, "a was tried first for some requests: " + hitsA.get());
        assertEquals(hitsA.get(), metric("loomgate_retries_total", "route=\"api\",reason=\"status-503\""));
    }

    @Test
    void aConnectFailureIsRetriedEvenForPost() throws Exception {
        AtomicInteger hitsB = Net.counting(b, Behaviors.ok("b"));
        try (RefusingPort dead = RefusingPort.open()) {
            start("{ attempts: 2 }", dead.address(), b.address());
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> r = Net.send(gw, "POST", "/orders", "{}".getBytes());
                assertEquals(200, r.statusCode(), r.body());
            }
        }
        assertEquals(4, hitsB.get(), "nothing reached the dead endpoint, so each POST reached b exactly once");
    }

    @Test
    void aPostWithoutIdempotencyKeyIsNeverSentTwice() throws Exception {
        AtomicInteger hitsA = Net.counting(a, Behaviors.closeBeforeResponse());
        AtomicInteger hitsB = Net.counting(b, Behaviors.status(503, "b"));
        start("{ attempts: 3, on: [connect-failure, reset, timeout, 502, 503, 504] }", a.address(), b.address());
        int sent = 10;
        for (int i = 0; i < sent; i++) {
            HttpResponse<String> r = Net.send(gw, "POST", "/pay", "{\"amount\":1}".getBytes());
            assertTrue(r.statusCode() == 502 || r.statusCode() == 503, r.statusCode() + " " + r.body());
        }
        assertEquals(sent, hitsA.get() + hitsB.get(), "each POST reached an upstream exactly once");
        assertEquals(sent, metric("loomgate_retries_skipped_total", "route=\"api\",reason=\"not-idempotent\""));
        assertEquals(0, gw.node().resilienceMetrics().sum("loomgate_retries_total", "route=\"api\""));
    }

    @Test
    void aPostWithIdempotencyKeyIsRetried() throws Exception {
        AtomicInteger hitsA = Net.counting(a, Behaviors.closeBeforeResponse());
        AtomicInteger hitsB = Net.counting(b, Behaviors.closeBeforeResponse());
        start("{ attempts: 2 }", a.address(), b.address());
        HttpResponse<String> r = Net.send(gw, "POST", "/pay", "{}".getBytes(), "Idempotency-Key", "k-1");
        assertEquals(502, r.statusCode());
        assertEquals(1, hitsA.get(), "tried once on each endpoint");
        assertEquals(1, hitsB.get());
        assertEquals(1, metric("loomgate_retries_total", "route=\"api\",reason=\"reset\""));
        assertEquals(1, metric("loomgate_retries_skipped_total", "route=\"api\",reason=\"attempts-exhausted\""));
    }

    @Test
    void nothingIsRetriedOnceTheResponseHasStarted() throws Exception {
        AtomicInteger hitsA = Net.counting(a, Behaviors.closeMidBody());
        start("{ attempts: 3 }", a.address());
        try {
            HttpResponse<String> r = gw.get("/half");
            assertTrue(r.body().length() < 1000, "the body cannot be complete");
        } catch (java.io.IOException expected) {
            // the client saw the cut connection: the honest signal
        }
        assertEquals(1, hitsA.get());
    }

    @Test
    void aStreamedBodyIsNotRetriedButABufferedOneIs() throws Exception {
        AtomicInteger hitsA = Net.counting(a, Behaviors.status(503, "a"));
        start("{ attempts: 3 }", a.address());
        byte[] big = new byte[100 * 1024]; // over the default max-buffered-body (64 KB): streamed
        HttpResponse<String> r = Net.send(gw, "PUT", "/blob", big);
        assertEquals(503, r.statusCode());
        assertEquals(1, hitsA.get());
        assertEquals(1, metric("loomgate_retries_skipped_total", "route=\"api\",reason=\"body-not-buffered\""));
        gw.close();
        gw = null;
        hitsA.set(0);
        start("{ attempts: 3, max-buffered-body: 256KB }", a.address());
        r = Net.send(gw, "PUT", "/blob", big);
        assertEquals(503, r.statusCode());
        assertEquals(3, hitsA.get(), "buffered: tried three times");
        assertTrue(a.awaitReceived(1 + 3).stream().allMatch(x -> x.bodyBytes() == big.length), "every try carried the whole body");
    }

    @Test
    void theBudgetStopsARetryStormWhenMostRequestsFail() throws Exception {
        AtomicInteger hitsA = Net.counting(a, Behaviors.status(503, "a"));
        AtomicInteger hitsB = Net.counting(b, Behaviors.status(503, "b"));
        start("{ attempts: 3, budget: { percent: 10, min-per-second: 0 } }", a.address(), b.address());
        int requests = 60;
        for (int i = 0; i < requests; i++) {
            assertEquals(503, gw.get("/fail").statusCode());
        }
        int upstreamTries = hitsA.get() + hitsB.get();
        // without a budget: 180 tries; with 10%: 60 + at most 6
        assertTrue(upstreamTries <= requests + requests / 10, "tries " + upstreamTries);
        assertTrue(upstreamTries > requests, "some retries were allowed: " + upstreamTries);
        assertTrue(metric("loomgate_retry_budget_exhausted_total", "route=\"api\"") >= requests - requests / 10 - 1);
    }
}
