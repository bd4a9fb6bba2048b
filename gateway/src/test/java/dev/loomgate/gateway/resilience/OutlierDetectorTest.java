package dev.loomgate.gateway.resilience;

import java.time.Duration;
import java.util.List;

import dev.loomgate.gateway.upstream.Endpoint;
import dev.loomgate.gateway.upstream.UpstreamHost;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutlierDetectorTest {
    private static final OutlierSettings SETTINGS = new OutlierSettings(3, Duration.ofSeconds(30), Duration.ofSeconds(100), 50);

    private static List<UpstreamHost> hosts(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> new UpstreamHost(new Endpoint("127.0.0.1", 9000 + i, 1)))
                .toList();
    }

    @Test
    void ejectsAfterConsecutiveFailuresOnly() {
        List<UpstreamHost> hosts = hosts(2);
        UpstreamHost a = hosts.get(0);
        assertFalse(OutlierDetector.failure("u", SETTINGS, hosts, a));
        assertFalse(OutlierDetector.failure("u", SETTINGS, hosts, a));
        OutlierDetector.success(a); // the streak is broken
        assertFalse(OutlierDetector.failure("u", SETTINGS, hosts, a));
        assertFalse(OutlierDetector.failure("u", SETTINGS, hosts, a));
        assertTrue(a.available());
        assertTrue(OutlierDetector.failure("u", SETTINGS, hosts, a));
        assertFalse(a.available());
        assertTrue(a.health().ejected());
        long ms = a.health().ejectedForMillis();
        assertTrue(ms > 29_000 && ms <= 30_000, "first ejection: base time, was " + ms);
    }

    @Test
    void neverEjectsMoreThanTheMaxPercent() {
        List<UpstreamHost> hosts = hosts(4);
        for (UpstreamHost h : hosts) {
            for (int i = 0; i < 3; i++) {
                OutlierDetector.failure("u", SETTINGS, hosts, h);
            }
        }
        assertEquals(2, hosts.stream().filter(h -> h.health().ejected()).count(), "50% of 4");
    }

    @Test
    void atLeastOneMayGoWhenThePercentAllowsAny() {
        List<UpstreamHost> hosts = hosts(3);
        OutlierSettings tenPercent = new OutlierSettings(1, Duration.ofSeconds(30), Duration.ofSeconds(100), 10);
        assertTrue(OutlierDetector.failure("u", tenPercent, hosts, hosts.get(0)));
        assertFalse(OutlierDetector.failure("u", tenPercent, hosts, hosts.get(1)));
    }

    @Test
    void repeatedEjectionsLastLongerUpToTheMax() {
        UpstreamHost h = hosts(1).getFirst();
        long base = Duration.ofMillis(10).toNanos();
        long max = Duration.ofSeconds(100).toNanos();
        assertEquals(base, h.health().eject(base, max));
        assertEquals(2 * base, h.health().eject(base, max));
        assertEquals(3 * base, h.health().eject(base, max));
        assertEquals(max, h.health().eject(Duration.ofSeconds(60).toNanos(), max), "capped");
    }
}
