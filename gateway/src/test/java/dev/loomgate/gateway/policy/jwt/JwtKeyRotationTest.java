package dev.loomgate.gateway.policy.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.loomgate.gateway.testing.OAuth2TestServer;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.Test;

/**
 * The IdP rotates its signing key while three nodes serve a steady rate of requests whose tokens the IdP keeps
 * minting: every node meets the new kid, refetches once, and not one request is wrongly rejected.
 */
class JwtKeyRotationTest {
    private static final String ROUTES = """
            upstreams:
              - name: backend
                endpoints: [ %1$s ]
            routes:
              - id: api
                upstream: backend
                match: { path-prefix: /api }
                jwt:
                  issuers:
                    - { issuer: %2$s, algorithms: [RS256], audiences: [api], jwks-url: %3$s }
            """;
    private static final int PER_NODE_RATE = 20;
    private static final Duration RUN = Duration.ofSeconds(8);

    /** A request's outcome: status, and whether its token was signed with the rotated-in key. */
    private record Outcome(int node, int status, boolean newKey, String body) {
    }

    @Test
    void rotationUnderLoadRejectsNothing() throws Exception {
        List<TestGateway> nodes = new ArrayList<>();
        try (OAuth2TestServer idp = OAuth2TestServer.start(); TestUpstream upstream = TestUpstream.start("u")) {
            for (int i = 0; i < 3; i++) {
                nodes.add(TestGateway.start(ROUTES.formatted(upstream.address(), idp.issuer(), idp.jwksUrl())));
            }
            String oldKid = idp.currentKid();
            // the client side: a fresh token every 100 ms, as clients of a real IdP get them
            AtomicReference<String> token = new AtomicReference<>(idp.token(Map.of("sub", "svc", "aud", "api")));
            AtomicReference<String> tokenKid = new AtomicReference<>(oldKid);
            AtomicBoolean running = new AtomicBoolean(true);
            Thread minter = Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    String kid = idp.currentKid();
                    token.set(idp.token(Map.of("sub", "svc", "aud", "api")));
                    tokenKid.set(kid);
                    sleepMillis(100);
                }
            });
            ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
            AtomicInteger errors = new AtomicInteger();
            List<Thread> clients = new ArrayList<>();
            long end = System.nanoTime() + RUN.toNanos();
            for (int n = 0; n < nodes.size(); n++) {
                TestGateway node = nodes.get(n);
                int nodeIndex = n;
                clients.add(Thread.ofVirtual().start(() -> {
                    long interval = 1_000_000_000L / PER_NODE_RATE;
                    long next = System.nanoTime();
                    while (System.nanoTime() < end) {
                        String kid = tokenKid.get();
                        String t = token.get();
                        try {
                            HttpResponse<String> r = TestGateway.http().send(HttpRequest.newBuilder(node.uri("/api"))
                                    .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + t).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            outcomes.add(new Outcome(nodeIndex, r.statusCode(), !kid.equals(oldKid), r.body()));
                        } catch (Exception e) {
                            errors.incrementAndGet();
                        }
                        next += interval;
                        sleepMillis(Math.max(0, (next - System.nanoTime()) / 1_000_000));
                    }
                }));
            }
            sleepMillis(RUN.toMillis() / 3);
            int fetchesBefore = idp.jwksFetches();
            String newKid = idp.rotate();
            for (Thread c : clients) {
                c.join(RUN.toMillis() + 30_000);
            }
            running.set(false);
            minter.join(10_000);

            List<Outcome> wrong = outcomes.stream().filter(o -> o.status() != 200).toList();
            assertEquals(List.of(), wrong, "wrongly rejected requests");
            assertEquals(0, errors.get(), "transport errors");
            long withNewKey = outcomes.stream().filter(Outcome::newKey).count();
            assertTrue(withNewKey >= 3 * PER_NODE_RATE, "the rotated key was used by " + withNewKey + " requests");
            for (int n = 0; n < 3; n++) {
                int node = n;
                assertTrue(outcomes.stream().anyMatch(o -> o.node() == node && o.newKey()),
                        "node " + n + " served new-key tokens");
            }
            int refetches = idp.jwksFetches() - fetchesBefore;
            assertTrue(refetches >= 3 && refetches <= 6, "each node refetched about once for " + newKid + ": "
                    + refetches + " fetches");
            assertTrue(outcomes.size() >= RUN.toSeconds() * PER_NODE_RATE * 3 / 2, "steady load: " + outcomes.size());
        } finally {
            nodes.forEach(TestGateway::close);
        }
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
