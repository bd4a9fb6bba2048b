package dev.loomgate.gateway.upstream;

import dev.loomgate.gateway.testing.FixedRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsistentHashBalancerTest {
    private static final int KEYS = 10_000;
    private static final HashKeySpec USER_HEADER = HashKeySpec.header("X-User");

    private static List<UpstreamHost> hosts(int n) {
        List<UpstreamHost> hosts = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            hosts.add(new UpstreamHost(new Endpoint("10.0.0." + i, 8080, 1)));
        }
        return hosts;
    }

    private static LoadBalancer ch(List<UpstreamHost> hosts, HashKeySpec spec) {
        return LoadBalancers.create(LoadBalancerKind.CONSISTENT_HASH, hosts, spec);
    }

    private static FixedRequest user(int k) {
        return FixedRequest.withHeader("x-user", "user-" + k, "192.0.2.1");
    }

    /** Owner endpoint id of each of the {@link #KEYS} keys. */
    private static String[] owners(LoadBalancer lb) {
        String[] owners = new String[KEYS];
        for (int k = 0; k < KEYS; k++) {
            owners[k] = lb.choose(user(k), Set.of()).orElseThrow().endpoint().id();
        }
        return owners;
    }

    @Test
    void sameKeySameHostAcrossInstances() {
        // two balancers built separately (as on two gateway nodes) agree on every key
        LoadBalancer one = ch(hosts(5), USER_HEADER);
        LoadBalancer two = ch(hosts(5), USER_HEADER);
        String[] first = owners(one);
        assertEquals(List.of(first), List.of(owners(one)));
        assertEquals(List.of(first), List.of(owners(two)));
    }

    @Test
    void keysSpreadOverHosts() {
        Map<String, Integer> counts = new HashMap<>();
        for (String o : owners(ch(hosts(5), USER_HEADER))) {
            counts.merge(o, 1, Integer::sum);
        }
        System.out.println("consistent-hash spread of " + KEYS + " keys over 5 hosts: " + counts);
        assertEquals(5, counts.size());
        counts.values().forEach(c -> assertTrue(c > 0.7 * KEYS / 5 && c < 1.3 * KEYS / 5, counts.toString()));
    }

    @Test
    void weightGivesProportionallyMoreKeys() {
        List<UpstreamHost> h = new ArrayList<>(hosts(3));
        h.set(0, new UpstreamHost(new Endpoint("10.0.0.1", 8080, 2)));
        Map<String, Integer> counts = new HashMap<>();
        for (String o : owners(ch(h, USER_HEADER))) {
            counts.merge(o, 1, Integer::sum);
        }
        double ratio = counts.get("10.0.0.1:8080") / ((counts.get("10.0.0.2:8080") + counts.get("10.0.0.3:8080")) / 2.0);
        System.out.printf("consistent-hash weight 2 vs 1: key ratio %.2f %s%n", ratio, counts);
        assertTrue(ratio > 1.6 && ratio < 2.4, "ratio " + ratio);
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5, 10})
    void addingAnEndpointMovesAboutOneNthOfTheKeysAllToTheNewEndpoint(int n) {
        String[] before = owners(ch(hosts(n), USER_HEADER));
        List<UpstreamHost> grown = hosts(n + 1);
        String added = grown.get(n).endpoint().id();
        String[] after = owners(ch(grown, USER_HEADER));
        int moved = 0;
        for (int k = 0; k < KEYS; k++) {
            if (!before[k].equals(after[k])) {
                moved++;
                assertEquals(added, after[k], "key " + k + " moved from " + before[k] + " to another old host");
            }
        }
        double fraction = moved / (double) KEYS;
        double ideal = 1.0 / (n + 1);
        System.out.printf("consistent-hash add endpoint to N=%d: moved %d of %d keys = %.4f (ideal 1/(N+1) = %.4f, limit %.4f)%n",
                n, moved, KEYS, fraction, ideal, 1.25 * ideal);
        assertTrue(moved > 0);
        assertTrue(fraction <= 1.25 * ideal, "moved fraction " + fraction);
    }

    @Test
    void removingAnEndpointMovesOnlyItsKeys() {
        List<UpstreamHost> all = hosts(5);
        String[] before = owners(ch(all, USER_HEADER));
        String removed = all.get(2).endpoint().id();
        List<UpstreamHost> rest = new ArrayList<>(all);
        rest.remove(2);
        String[] after = owners(ch(rest, USER_HEADER));
        int moved = 0;
        for (int k = 0; k < KEYS; k++) {
            if (before[k].equals(removed)) {
                moved++;
                assertNotEquals(removed, after[k]);
            } else {
                assertEquals(before[k], after[k], "key " + k + " did not belong to the removed endpoint");
            }
        }
        System.out.printf("consistent-hash remove 1 of 5 endpoints: moved %d of %d keys = %.4f (ideal 0.2000)%n",
                moved, KEYS, moved / (double) KEYS);
        assertTrue(moved > 0);
    }

    @Test
    void excludedOrUnavailableOwnerFallsToTheNextHostOnTheRing() {
        List<UpstreamHost> all = hosts(5);
        LoadBalancer lb = ch(all, USER_HEADER);
        for (int k = 0; k < 2000; k++) {
            UpstreamHost owner = lb.choose(user(k), Set.of()).orElseThrow();
            UpstreamHost next = lb.choose(user(k), Set.of(owner)).orElseThrow();
            assertNotSame(owner, next);
            // the next host is the one that would own the key if the owner were not on the ring
            List<UpstreamHost> without = new ArrayList<>(all);
            without.remove(owner);
            assertSame(ch(without, USER_HEADER).choose(user(k), Set.of()).orElseThrow(), next, "key " + k);
            if (k % 100 == 0) {
                owner.markUnavailable();
                assertSame(next, lb.choose(user(k), Set.of()).orElseThrow());
                owner.markAvailable();
            }
        }
        assertTrue(lb.choose(user(1), Set.copyOf(all)).isEmpty());
    }

    @Test
    void headerKeyIgnoresClientIpAndFallsBackToItWhenAbsent() {
        LoadBalancer byHeader = ch(hosts(10), USER_HEADER);
        LoadBalancer byIp = ch(hosts(10), HashKeySpec.clientIp());
        int differentIpSameHost = 0;
        for (int k = 0; k < 500; k++) {
            UpstreamHost a = byHeader.choose(FixedRequest.withHeader("X-USER", "u" + k, "192.0.2.1"), Set.of()).orElseThrow();
            UpstreamHost b = byHeader.choose(FixedRequest.withHeader("x-user", "u" + k, "198.51.100." + (k % 250)), Set.of()).orElseThrow();
            assertSame(a, b);
            String ip = "203.0.113." + (k % 250);
            UpstreamHost fallback = byHeader.choose(FixedRequest.fromIp(ip), Set.of()).orElseThrow();
            UpstreamHost direct = byIp.choose(FixedRequest.withHeader("x-user", "u" + k, ip), Set.of()).orElseThrow();
            assertEquals(direct.endpoint(), fallback.endpoint());
            if (a.endpoint().equals(fallback.endpoint())) {
                differentIpSameHost++;
            }
        }
        // the header, not the IP, decides: they agree only by chance (~1 in 10)
        assertTrue(differentIpSameHost < 150, "header and IP agreed on " + differentIpSameHost + " of 500");
    }

    @Test
    void cookieKey() {
        LoadBalancer byCookie = ch(hosts(10), HashKeySpec.cookie("session"));
        LoadBalancer byIp = ch(hosts(10), HashKeySpec.clientIp());
        Set<String> seen = new HashSet<>();
        for (int k = 0; k < 500; k++) {
            UpstreamHost a = byCookie.choose(FixedRequest.withCookie("session", "s" + k, "192.0.2.1"), Set.of()).orElseThrow();
            UpstreamHost b = byCookie.choose(FixedRequest.withCookie("session", "s" + k, "192.0.2.77"), Set.of()).orElseThrow();
            assertSame(a, b);
            seen.add(a.endpoint().id());
            UpstreamHost noCookie = byCookie.choose(FixedRequest.withCookie("other", "s" + k, "192.0.2." + k % 250), Set.of()).orElseThrow();
            assertEquals(byIp.choose(FixedRequest.fromIp("192.0.2." + k % 250), Set.of()).orElseThrow().endpoint(),
                    noCookie.endpoint());
        }
        assertEquals(10, seen.size(), "cookie values spread over all hosts");
    }

    @Test
    void clientIpKeyIgnoresHeaders() {
        LoadBalancer byIp = LoadBalancers.create(LoadBalancerKind.CONSISTENT_HASH, hosts(10));
        Set<String> seen = new HashSet<>();
        for (int k = 0; k < 250; k++) {
            String ip = "198.51.100." + k;
            UpstreamHost a = byIp.choose(FixedRequest.withHeader("x-user", "a", ip), Set.of()).orElseThrow();
            UpstreamHost b = byIp.choose(FixedRequest.withCookie("session", "b", ip), Set.of()).orElseThrow();
            assertSame(a, b);
            seen.add(a.endpoint().id());
        }
        assertEquals(10, seen.size(), "client IPs spread over all hosts");
    }

    @Test
    void hashIsStableAndSpreadsSimilarStrings() {
        // pinned so a change of the function (which would reshuffle every node's ring) is noticed
        assertEquals(0x76e155be83c42e0aL, Hash64.hash("10.0.0.1:8080#0")); // one tail block
        assertEquals(0xb360d0f5fb955712L, Hash64.hash("user-12345678")); // a full block and a tail
        assertNotEquals(Hash64.hash("10.0.0.1:8080#0"), Hash64.hash("10.0.0.1:8080#1"));
        assertNotEquals(Hash64.hash(""), Hash64.hash("\0"));
        long a = Hash64.hash("user-1");
        long b = Hash64.hash("user-2");
        int differingBits = Long.bitCount(a ^ b);
        assertTrue(differingBits > 16 && differingBits < 48, "avalanche: " + differingBits + " bits differ");
    }
}
