package dev.loomgate.gateway.resilience;

import dev.loomgate.testsupport.Await;
import java.time.Duration;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Outlier ejection, circuit breaker and bulkhead through a real node. */
class UpstreamGuardsTest {
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
    }

    private TestUpstream upstream(String name) throws Exception {
        TestUpstream u = TestUpstream.start(name);
        closeables.add(u);
        return u;
    }

    private TestGateway gateway(String yaml) throws Exception {
        TestGateway g = TestGateway.start(yaml);
        closeables.add(g);
        return g;
    }

    @Test
    void aFailingEndpointIsEjectedAndReturns() throws Exception {
        TestUpstream bad = upstream("bad");
        TestUpstream good = upstream("good");
        AtomicInteger badHits = Net.counting(bad, Behaviors.status(500, "bad"));
        AtomicInteger goodHits = Net.counting(good, Behaviors.ok("good"));
        TestGateway gw = gateway("""
                upstreams:
                  - name: pair
                    endpoints: [ %s, %s ]
                    outlier-detection: { consecutive-failures: 3, base-ejection-time: 700ms, max-ejection-percent: 50 }
                routes:
                  - id: api
                    upstream: pair
                """.formatted(bad.address(), good.address()));
        int i = 0;
        while (badHits.get() < 3 && i++ < 20) {
            gw.get("/warm");
        }
        assertEquals(3, badHits.get());
        for (int k = 0; k < 10; k++) {
            assertEquals(200, gw.get("/ejected").statusCode());
        }
        assertEquals(3, badHits.get(), "ejected: no traffic");
        assertEquals(1, gw.node().resilienceMetrics().count("loomgate_outlier_ejections_total",
                "upstream=\"pair\",endpoint=\"" + bad.address() + "\""));
        String upstreams = gw.admin("/admin/upstreams").body();
        assertTrue(upstreams.contains("\"ejected\":true"), upstreams);
        bad.behave(Behaviors.ok("bad"));
        Await.until("the endpoint returns after its ejection time", Duration.ofSeconds(5), () -> {
            try {
                gw.get("/back");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return bad.received().size() > 0;
        });
        assertTrue(goodHits.get() >= 10);
    }

    @Test
    void neverEjectsMoreThanTheMaxPercent() throws Exception {
        TestUpstream x = upstream("x");
        TestUpstream y = upstream("y");
        x.behave(Behaviors.status(500, "x"));
        y.behave(Behaviors.status(500, "y"));
        TestGateway gw = gateway("""
                upstreams:
                  - name: pair
                    endpoints: [ %s, %s ]
                    outlier-detection: { consecutive-failures: 2, base-ejection-time: 30s, max-ejection-percent: 50 }
                routes:
                  - id: api
                    upstream: pair
                """.formatted(x.address(), y.address()));
        for (int k = 0; k < 12; k++) {
            assertEquals(500, gw.get("/f").statusCode());
        }
        assertEquals(1, gw.node().resilienceMetrics().sum("loomgate_outlier_ejections_total", "upstream=\"pair\""));
    }

    @Test
    void theBreakerOpensHalfOpensAndCloses() throws Exception {
        TestUpstream u = upstream("u");
        AtomicInteger hits = Net.counting(u, Behaviors.status(503, "u"));
        TestGateway gw = gateway("""
                upstreams:
                  - name: flaky
                    endpoints: [ %s ]
                    circuit-breaker: { window: 4, failure-ratio: 50, open-for: 600ms, half-open-requests: 1 }
                routes:
                  - id: api
                    upstream: flaky
                """.formatted(u.address()));
        for (int k = 0; k < 4; k++) {
            assertEquals(503, gw.get("/f").statusCode());
        }
        assertEquals(4, hits.get());
        HttpResponse<String> open = gw.get("/f");
        assertEquals(503, open.statusCode());
        assertTrue(open.body().contains("circuit-open"), open.body());
        assertEquals("application/problem+json", open.headers().firstValue("content-type").orElse(""));
        assertEquals("1", open.headers().firstValue("retry-after").orElse(""));
        assertEquals(4, hits.get(), "an open breaker does not touch the upstream");
        assertTrue(gw.admin("/admin/upstreams").body().contains("\"state\":\"open\""));
        u.behave(Behaviors.ok("u"));
        Thread.sleep(700); // the breaker stays open for 600 ms: letting that time pass is what is tested
        assertEquals(200, gw.get("/probe").statusCode(), "half-open: the probe goes through");
        assertEquals(200, gw.get("/closed").statusCode());
        assertTrue(gw.admin("/admin/upstreams").body().contains("\"state\":\"closed\""));
        var m = gw.node().resilienceMetrics();
        assertEquals(1, m.count("loomgate_circuit_breaker_transitions_total", "upstream=\"flaky\",from=\"closed\",to=\"open\""));
        assertEquals(1, m.count("loomgate_circuit_breaker_transitions_total", "upstream=\"flaky\",from=\"open\",to=\"half-open\""));
        assertEquals(1, m.count("loomgate_circuit_breaker_transitions_total", "upstream=\"flaky\",from=\"half-open\",to=\"closed\""));
        String scrape = gw.admin("/metrics").body();
        assertTrue(scrape.contains("loomgate_circuit_breaker_state{upstream=\"flaky\",state=\"closed\"} 1"), scrape);
    }

    @Test
    void theBulkheadRejectsBeyondMaxInFlight() throws Exception {
        TestUpstream u = upstream("u");
        AtomicInteger hits = Net.counting(u, Behaviors.slow(1500, "u"));
        TestGateway gw = gateway("""
                upstreams:
                  - name: small
                    endpoints: [ %s ]
                    max-in-flight: 2
                routes:
                  - id: api
                    upstream: small
                """.formatted(u.address()));
        List<CompletableFuture<HttpResponse<String>>> slowOnes = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            slowOnes.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return gw.get("/slow");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        Await.until("hits.get() == 2", Duration.ofSeconds(5), () -> hits.get() == 2);
        assertTrue(gw.admin("/metrics").body().contains("loomgate_upstream_in_flight{upstream=\"small\"} 2"));
        HttpResponse<String> rejected = gw.get("/third");
        assertEquals(503, rejected.statusCode());
        assertTrue(rejected.body().contains("upstream-max-in-flight"), rejected.body());
        assertEquals(2, hits.get(), "rejected without touching the upstream");
        for (var f : slowOnes) {
            assertEquals(200, f.get().statusCode());
        }
        assertEquals(200, gw.get("/after").statusCode(), "slots are released");
        assertEquals(1, gw.node().resilienceMetrics().count("loomgate_bulkhead_rejections_total", "upstream=\"small\""));
        assertFalse(gw.admin("/metrics").body().contains("loomgate_upstream_in_flight{upstream=\"small\"} 2"));
    }
}
