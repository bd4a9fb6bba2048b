package dev.loomgate.gateway.consul;

import dev.loomgate.testsupport.Await;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Edge cases from the Consul API contract fixtures (contracts/consul-api), served by a canned HTTP server. */
class ConsulClientFixturesTest {

    @Test
    void parsesFixtureBodies() throws Exception {
        try (CannedConsul c = new CannedConsul(); ConsulClient client = new ConsulClient(ConsulSettings.of(c.address()).toBuilder()
                .token("t0k").build())) {
            c.thenFixture("kv-get-recurse.response.json", "210")
                    .thenFixture("health-service.response.json", "42")
                    .thenFixture("status-leader-no-leader.response.json", null)
                    .thenFixture("status-leader.response.json", null)
                    .thenFixture("health-service-unknown.response.json", "7");
            Indexed<List<KvEntry>> kv = client.kvList("web/");
            assertEquals(210, kv.index());
            assertEquals(List.of("web/bar", "web/foo", "web/subdir/baz"), kv.value().stream().map(KvEntry::key).toList());
            assertEquals("test", kv.value().get(0).valueUtf8());
            assertEquals(0, kv.value().get(2).value().length, "Value null");
            assertEquals(42, kv.value().get(2).flags());
            Indexed<List<ServiceInstance>> h = client.healthService("redis", List.of(), true, 0, Duration.ofSeconds(1));
            assertEquals(42, h.index());
            ServiceInstance i = h.value().get(0);
            assertEquals("10.1.10.12", i.address());
            assertEquals(8000, i.port());
            assertEquals("passing", i.status(), "service and serfHealth checks both passing");
            assertEquals(Optional.empty(), client.leader(), "\"\" means no leader");
            assertTrue(client.leader().isPresent());
            assertTrue(client.healthService("x", List.of(), true, 0, Duration.ofSeconds(1)).value().isEmpty());
            assertEquals("GET /v1/health/service/redis?passing=1", c.requests().get(1));
            assertTrue(c.tokens().stream().allMatch("t0k"::equals), "token sent as X-Consul-Token: " + c.tokens());
        }
    }

    @Test
    void plainTextErrorsBecomeConsulExceptionsWithTheBody() throws Exception {
        String body = CannedConsul.fixture("kv-put-conflicting-flags.exchange.json");
        try (CannedConsul c = new CannedConsul(); ConsulClient client = new ConsulClient(ConsulSettings.of(c.address()))) {
            c.then(500, "rpc error: No cluster leader", null).then(403, "Permission denied", null);
            ConsulException e = assertThrows(ConsulException.class, () -> client.kvList("x/"));
            assertEquals(500, e.status().orElseThrow());
            assertTrue(e.getMessage().contains("No cluster leader"), e.getMessage());
            ConsulException denied = assertThrows(ConsulException.class, () -> client.kvPut("x", "y"));
            assertEquals(403, denied.status().orElseThrow());
            assertTrue(denied.getMessage().contains("Permission denied"));
            assertTrue(body.contains("Conflicting flags"), "fixture sanity");
        }
    }

    @Test
    void agentWriteAcceptsEmpty200AndDeregister404IsAlreadyGone() throws Exception {
        try (CannedConsul c = new CannedConsul(); ConsulClient client = new ConsulClient(ConsulSettings.of(c.address()))) {
            c.then(200, "", null).then(404, "Unknown service ID \"no-such-id\". Ensure that the service ID is passed", null);
            client.register(new ServiceRegistration("a", "loomgate", "", 1, List.of(), java.util.Map.of(),
                    Optional.of(new ServiceRegistration.HttpCheck("c", "http://127.0.0.1:1/health/ready",
                            Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMinutes(1)))));
            assertEquals(false, client.deregister("no-such-id"));
        }
    }

    @Test
    void watchResetsWhenTheIndexGoesBackwardsAndIgnoresIndexOnlyChanges() throws Exception {
        String body = CannedConsul.fixture("kv-get-recurse.response.json");
        try (CannedConsul c = new CannedConsul(); ConsulClient client = new ConsulClient(ConsulSettings.of(c.address()))) {
            c.then(200, body, "500")      // first read
                    .then(200, body, "600")   // index grew, same data: no-op
                    .then(200, body, "20")    // went backwards: reset to 0
                    .then(200, body, "0")     // index 0: treated as 1
                    .thenSlow(200, "[]", "25"); // then stays here (slowly), data changed once
            AtomicInteger changes = new AtomicInteger();
            try (BlockingWatch<List<KvEntry>> w = new BlockingWatch<>("t", (i, wait) -> client.kvList("web/", i, wait),
                    Duration.ofSeconds(2), Backoff.defaults(), v -> changes.incrementAndGet()).start()) {
                Await.until("c.requests().size() >= 6", Duration.ofSeconds(20), () -> c.requests().size() >= 6);
                List<String> r = c.requests();
                assertEquals("GET /v1/kv/web/?recurse", r.get(0));
                assertEquals("GET /v1/kv/web/?recurse&index=500&wait=2000ms", r.get(1));
                assertEquals("GET /v1/kv/web/?recurse&index=600&wait=2000ms", r.get(2));
                assertEquals("GET /v1/kv/web/?recurse", r.get(3), "index 20 < 600: reset to 0");
                assertEquals("GET /v1/kv/web/?recurse&index=1&wait=2000ms", r.get(4), "index 0 counts as 1");
                assertEquals(1, w.resets());
                assertEquals(2, changes.get(), "first answer and the change to []; index-only changes are no-ops");
            }
        }
    }

    @Test
    void errorsBackOffWithoutHotLooping() throws Exception {
        try (CannedConsul c = new CannedConsul(); ConsulClient client = new ConsulClient(ConsulSettings.of(c.address()))) {
            c.then(500, "Internal error", null);
            List<Integer> failures = new CopyOnWriteArrayList<>();
            try (BlockingWatch<List<KvEntry>> w = new BlockingWatch<>("t", (i, wait) -> client.kvList("k/", i, wait),
                    Duration.ofSeconds(2), new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5)),
                    new BlockingWatch.Listener<>() {
                        @Override
                        public void changed(List<KvEntry> value) {
                        }

                        @Override
                        public void failed(ConsulException error, int n) {
                            failures.add(n);
                        }
                    }).start()) {
                Thread.sleep(1500); // a fixed window to count attempts in: the rate is what is tested
            }
            // 100, 200, 400, 800 ms (each jittered to [d/2, d]): at most ~8 attempts in 1.5 s, never hundreds
            int n = c.requests().size();
            assertTrue(n >= 2 && n <= 10, "requests in 1.5 s: " + n);
            assertTrue(c.requests().stream().allMatch(s -> s.equals("GET /v1/kv/k/?recurse")),
                    "after an error the watch re-reads from index 0: " + c.requests());
        }
    }

    @Test
    void blockingReadTimeoutIsAboveWaitTimes17Over16() {
        Duration wait = Duration.ofSeconds(60);
        assertTrue(ConsulClient.blockingTimeout(wait).compareTo(wait.plus(wait.dividedBy(16))) > 0);
    }

    @Test
    void slowAgentFailsOverToTheNext() throws Exception {
        try (CannedConsul bad = new CannedConsul(); CannedConsul good = new CannedConsul();
             ConsulClient client = new ConsulClient(ConsulSettings.of(bad.address(), good.address()))) {
            bad.then(503, "rate limited", null);
            good.then(200, "\"10.0.0.1:8300\"", null);
            assertEquals(Optional.of("10.0.0.1:8300"), client.leader());
            assertEquals(Optional.of("10.0.0.1:8300"), client.leader());
            assertEquals(1, bad.requests().size(), "sticks to the agent that answered");
        }
    }
}
