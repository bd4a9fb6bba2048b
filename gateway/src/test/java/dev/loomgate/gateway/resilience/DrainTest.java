package dev.loomgate.gateway.resilience;

import dev.loomgate.testsupport.Await;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.loomgate.gateway.GatewayNode;
import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Draining: readiness fails at once, traffic keeps being served until the LB has moved away. */
class DrainTest {
    private static final String ROUTES = """
            upstreams:
              - name: app
                endpoints: [ %s ]
            routes:
              - id: api
                upstream: app
            """;
    private TestUpstream upstream;
    private TestGateway first;
    private TestGateway second;

    @BeforeEach
    void setUp() throws Exception {
        upstream = TestUpstream.start("app");
        upstream.behave((req, out) -> req.target().startsWith("/slow")
                ? Behaviors.slow(800, "app").respond(req, out)
                : Behaviors.ok("app").respond(req, out));
        first = TestGateway.start(ROUTES.formatted(upstream.address()), c -> c.toBuilder().drainTimeout(Duration.ofSeconds(10))
                .operations(o -> o.drainQuietPeriod(Duration.ofMillis(500))).build());
        second = TestGateway.start(ROUTES.formatted(upstream.address()));
    }

    @AfterEach
    void tearDown() {
        first.close();
        second.close();
        upstream.close();
    }

    @Test
    void aClientLoopingThroughADrainSeesNoFailure() throws Exception {
        AtomicReference<TestGateway> active = new AtomicReference<>(first);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger servedByFirstWhileDraining = new AtomicInteger();
        AtomicInteger total = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        // the "load balancer": checks readiness every 50 ms and moves to the second node
        Thread lb = Thread.ofVirtual().start(() -> {
            while (!stop.get()) {
                try {
                    if (active.get() == first && first.admin("/health/ready").statusCode() != 200) {
                        active.set(second);
                    }
                    Thread.sleep(50); // the load balancer's check interval (pacing, not synchronisation)
                } catch (Exception e) {
                    active.set(second); // the admin port is gone too: the node stopped
                }
            }
        });
        Thread client = Thread.ofVirtual().start(() -> {
            while (!stop.get()) {
                TestGateway target = active.get();
                try {
                    HttpResponse<String> r = target.get("/loop");
                    total.incrementAndGet();
                    if (r.statusCode() != 200) {
                        failures.incrementAndGet();
                        firstFailure.compareAndSet(null, r.statusCode() + " " + r.body());
                    } else if (target == first && first.node().phase() == GatewayNode.Phase.DRAINING) {
                        servedByFirstWhileDraining.incrementAndGet();
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                    firstFailure.compareAndSet(null, e.toString());
                }
            }
        });
        Await.until("the client loop to run through the first node", () -> total.get() >= 20);
        HttpResponse<String> drain = first.admin("/admin/drain"); // GET: 405 and nothing happens
        assertEquals(405, drain.statusCode());
        HttpResponse<String> started = Net.admin(first.adminPort(), "POST", "/admin/drain", null);
        assertEquals(202, started.statusCode(), started.body());
        assertEquals(503, first.admin("/health/ready").statusCode(), "readiness fails at once");
        // a slow request that arrives after the drain began is still served in full
        CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return first.get("/slow");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        first.node().awaitStopped();
        int atStop = total.get();
        Await.until("the client loop to go on through the second node", () -> total.get() >= atStop + 10);
        stop.set(true);
        client.join();
        lb.join();
        assertEquals(200, inFlight.get().statusCode(), "the request that arrived while draining was served");
        assertEquals(0, failures.get(), "failures: " + firstFailure.get());
        assertTrue(total.get() > 20, "the loop ran: " + total.get());
        assertEquals(GatewayNode.Phase.STOPPED, first.node().phase());
        System.out.println("drain: " + total.get() + " requests, " + servedByFirstWhileDraining.get()
                + " served by the draining node after readiness failed");
    }

    @Test
    void drainingFromASignalStopsAfterTheQuietPeriodAndIsBoundedByTheTimeout() throws Exception {
        upstream.behave(Behaviors.hang());
        CompletableFuture.runAsync(() -> {
            try {
                first.get("/hangs");
            } catch (Exception ignored) {
                // cut when the node stops
            }
        });
        Await.until("first.node().inFlight() == 1", Duration.ofSeconds(5), () -> first.node().inFlight() == 1);
        long start = System.nanoTime();
        // what SIGTERM runs (Main's signal handler)
        Thread t = Thread.ofPlatform().start(() -> first.node().drainAndStop(Duration.ofMillis(1500), Duration.ofMillis(200)));
        Await.until("first.node().phase() == GatewayNode.Phase.DRAINING", Duration.ofSeconds(2), () -> first.node().phase() == GatewayNode.Phase.DRAINING);
        t.join();
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 1400, "a hung request holds the drain until the timeout: " + ms);
        assertEquals(GatewayNode.Phase.STOPPED, first.node().phase());
    }
}
