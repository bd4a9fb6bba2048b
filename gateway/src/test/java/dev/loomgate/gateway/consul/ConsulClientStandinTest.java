package dev.loomgate.gateway.consul;

import dev.loomgate.testsupport.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.loomgate.consul.standin.ConsulStandin;
import dev.loomgate.gateway.testing.RefusingPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Consul client against the stand-in: KV with CAS, health, agent, status, failover, watches. */
class ConsulClientStandinTest {
    private ConsulStandin consul;
    private ConsulClient client;

    @BeforeEach
    void setUp() {
        consul = ConsulStandin.builder().host("127.0.0.1").port(0).build().start();
        client = new ConsulClient(ConsulSettings.of(consul.baseUri()).toBuilder().token("secret").build());
    }

    @AfterEach
    void tearDown() {
        client.close();
        consul.stop();
    }

    @Test
    void kvPutGetCasDeleteAndRecurse() throws Exception {
        assertTrue(client.kvGet("t/a").isEmpty());
        assertTrue(client.kvPut("t/a b/x", "one"), "key with a space is percent-encoded");
        KvEntry e = client.kvGet("t/a b/x").orElseThrow();
        assertEquals("one", e.valueUtf8());
        assertFalse(client.kvPut("t/a b/x", "two".getBytes(), OptionalLong.of(0), 0), "cas=0 on existing key");
        assertFalse(client.kvPut("t/a b/x", "two".getBytes(), OptionalLong.of(e.modifyIndex() + 100), 0));
        assertTrue(client.kvPut("t/a b/x", "two".getBytes(), OptionalLong.of(e.modifyIndex()), -1L),
                "cas with the current index; uint64 flags");
        KvEntry e2 = client.kvGet("t/a b/x").orElseThrow();
        assertEquals("two", e2.valueUtf8());
        assertEquals(-1L, e2.flags(), "flags survive as uint64 (all bits)");
        assertTrue(client.kvPut("t/empty", ""));
        assertEquals(0, client.kvGet("t/empty").orElseThrow().value().length, "null Value reads as empty");
        List<KvEntry> all = client.kvList("t/").value();
        assertEquals(List.of("t/a b/x", "t/empty"), all.stream().map(KvEntry::key).toList());
        assertTrue(client.kvList("nothing/").value().isEmpty(), "404 on recurse is an empty list");
        assertFalse(client.kvDelete("t/empty", OptionalLong.of(e2.modifyIndex() + 100)));
        assertTrue(client.kvDelete("t/empty", OptionalLong.empty()));
        client.kvDeleteTree("t/");
        assertTrue(client.kvList("t/").value().isEmpty());
    }

    @Test
    void healthServiceFiltersAndFallsBackToNodeAddress() throws Exception {
        client.register(new ServiceRegistration("orders-1", "orders", "", 9001, List.of("v2"), Map.of("k", "v"),
                Optional.empty()));
        client.register(new ServiceRegistration("orders-2", "orders", "127.0.0.2", 9002, List.of("v1"), Map.of(),
                Optional.empty()));
        List<ServiceInstance> all = client.healthService("orders", List.of(), false, 0, Duration.ofSeconds(1)).value();
        assertEquals(2, all.size());
        ServiceInstance one = all.stream().filter(i -> i.serviceId().equals("orders-1")).findFirst().orElseThrow();
        assertEquals("127.0.0.1", one.address(), "empty Service.Address falls back to Node.Address");
        assertEquals(Map.of("k", "v"), one.meta());
        List<ServiceInstance> v2 = client.healthService("orders", List.of("v2"), false, 0, Duration.ofSeconds(1)).value();
        assertEquals(List.of("orders-1"), v2.stream().map(ServiceInstance::serviceId).toList());
        assertTrue(client.healthService("nope", List.of(), true, 0, Duration.ofSeconds(1)).value().isEmpty());
        assertTrue(client.deregister("orders-1"));
        assertFalse(client.deregister("orders-1"), "unknown ID: 404 means already gone");
        assertEquals(1, client.healthService("orders", List.of(), false, 0, Duration.ofSeconds(1)).value().size());
    }

    @Test
    void leaderAndFailoverToTheNextAgent() throws Exception {
        try (RefusingPort dead = RefusingPort.open();
             ConsulClient two = new ConsulClient(ConsulSettings.of(dead.address(), consul.baseUri()))) {
            assertTrue(two.leader().isPresent());
            assertTrue(two.kvPut("f/x", "1"));
            assertEquals("1", two.kvGet("f/x").orElseThrow().valueUtf8());
        }
    }

    @Test
    void blockingWatchDeliversChangesNotIndexBumps() throws Exception {
        client.kvPut("w/a", "1");
        List<String> seen = new CopyOnWriteArrayList<>();
        try (BlockingWatch<List<KvEntry>> w = new BlockingWatch<>("t",
                (i, wait) -> client.kvList("w/", i, wait), Duration.ofSeconds(5), Backoff.defaults(),
                v -> seen.add(v.stream().map(KvEntry::valueUtf8).toList().toString())).start()) {
            Await.until("seen.size() == 1", Duration.ofSeconds(20), () -> seen.size() == 1);
            long before = w.lastIndex();
            client.kvPut("other/x", "unrelated");
            consul.wakeAllWatchers();
            client.kvPut("w/a", "2");
            Await.until("seen.size() == 2", Duration.ofSeconds(20), () -> seen.size() == 2);
            assertEquals(List.of("[1]", "[2]"), seen);
            assertTrue(Long.compareUnsigned(w.lastIndex(), before) > 0);
            consul.wakeAllWatchers();
            client.kvPut("w/a", "3");
            // the watch hands over answers in order: a call for the wake-up would sit between [2] and [3]
            Await.until("the watch to see w/a=3", Duration.ofSeconds(20), () -> seen.size() >= 3);
            assertEquals(List.of("[1]", "[2]", "[3]"), seen, "a wake-up without a change is a no-op");
        }
    }

    @Test
    void watchResetsWhenTheIndexGoesBackwardsAfterARestart() throws Exception {
        for (int i = 0; i < 30; i++) {
            client.kvPut("r/k" + i, "v" + i);
        }
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (BlockingWatch<List<KvEntry>> w = new BlockingWatch<>("t",
                (i, wait) -> client.kvList("r/", i, wait), Duration.ofSeconds(2), new Backoff(Duration.ofMillis(50),
                Duration.ofMillis(200)), v -> sizes.add(v.size())).start()) {
            Await.until("sizes.size() == 1", Duration.ofSeconds(20), () -> sizes.size() == 1);
            consul.restart(false);
            client.kvPut("r/new", "x");
            Await.until("sizes.contains(1)", Duration.ofSeconds(20), () -> sizes.contains(1));
            assertTrue(w.resets() >= 1 || w.lastIndex() < 30, "index reset after the restart: " + w.resets());
        }
    }
}
