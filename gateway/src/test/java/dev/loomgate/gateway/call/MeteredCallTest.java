package dev.loomgate.gateway.call;

import dev.loomgate.gateway.client.UpstreamClient;
import dev.loomgate.gateway.client.UpstreamException;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.observe.GatewayMetrics;
import dev.loomgate.gateway.observe.TrafficStats;
import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MeteredCallTest {
    private final TrafficStats stats = new GatewayMetrics().upstream("u");

    private void call(TryOutcome outcome) {
        new MeteredCall(stats, new Tries.Fixed(outcome)).call(Tries.attempt(Tries.host(9000)));
    }

    @Test
    void anUpstreamFailureCountsAsNoResponse() {
        call(Tries.threw(UpstreamException.Kind.CONNECT_FAILED));
        call(Tries.threw(UpstreamException.Kind.RESPONSE_TIMEOUT));
        assertEquals(2, stats.count(5), "599 is in the 5xx class");
    }

    @Test
    void theClientsOwnBodyFailureAndUnsentTriesAreNotTheUpstreams() {
        call(Tries.threw(UpstreamException.Kind.CLIENT_BODY_FAILED));
        call(new TryOutcome.NotSent(new Problem(Problem.Type.CIRCUIT_OPEN, "open"), Tries.none()));
        for (int c = 1; c <= 5; c++) {
            assertEquals(0, stats.count(c));
        }
    }

    @Test
    void aResponseCountsByItsStatus() throws Exception {
        try (TestUpstream up = TestUpstream.start("a").behave(Behaviors.status(404, "a"));
             UpstreamClient client = Tries.client()) {
            TryOutcome o = new MeteredCall(stats, new EndpointExchange(client, "u")).call(Tries.attempt(Tries.host(up.port())));
            ((TryOutcome.Responded) o).response().close();
            assertEquals(1, stats.count(4));
            assertEquals(0, stats.count(5));
        }
    }
}
