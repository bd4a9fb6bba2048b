package dev.loomgate.gateway.call;

import java.time.Duration;
import java.util.List;

import dev.loomgate.gateway.client.UpstreamException;
import dev.loomgate.gateway.resilience.OutlierDetector;
import dev.loomgate.gateway.resilience.OutlierSettings;
import dev.loomgate.gateway.resilience.ResilienceMetrics;
import dev.loomgate.gateway.upstream.UpstreamHost;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutlierCallTest {
    private final List<UpstreamHost> hosts = Tries.hosts(2);
    private final ResilienceMetrics metrics = new ResilienceMetrics();
    private final OutlierDetector detector = new OutlierDetector("u",
            new OutlierSettings(3, Duration.ofSeconds(30), Duration.ofMinutes(5), 50));

    private OutlierCall around(TryOutcome outcome) {
        return new OutlierCall("u", hosts, detector, OutcomeRule.serverErrors(), metrics, new Tries.Fixed(outcome));
    }

    @Test
    void consecutiveUpstreamFailuresEjectAndAreCounted() {
        UpstreamHost a = hosts.getFirst();
        OutlierCall failing = around(Tries.threw(UpstreamException.Kind.RESET_BEFORE_RESPONSE));
        for (int i = 0; i < 3; i++) {
            assertTrue(a.available());
            failing.call(Tries.attempt(a));
        }
        assertFalse(a.available());
        assertEquals(1, metrics.count("loomgate_outlier_ejections_total", "upstream=\"u\",endpoint=\"127.0.0.1:9000\""));
    }

    @Test
    void theClientsFaultSaysNothingAboutTheEndpoint() {
        UpstreamHost a = hosts.getFirst();
        OutlierCall clientsFault = around(Tries.threw(UpstreamException.Kind.CLIENT_BODY_FAILED));
        for (int i = 0; i < 10; i++) {
            clientsFault.call(Tries.attempt(a));
        }
        assertTrue(a.available());
        assertEquals(0, a.health().consecutiveFailures());
    }
}
