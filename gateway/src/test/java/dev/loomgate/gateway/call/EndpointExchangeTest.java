package dev.loomgate.gateway.call;

import java.time.Duration;

import dev.loomgate.gateway.client.UpstreamClient;
import dev.loomgate.gateway.client.UpstreamException;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.resilience.Timeouts;
import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.RefusingPort;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.gateway.upstream.UpstreamHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EndpointExchangeTest {
    private final UpstreamClient client = Tries.client();

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void aResponseKeepsTheEndpointCountedUntilRelayed() throws Exception {
        try (TestUpstream up = TestUpstream.start("a").behave(Behaviors.status(503, "a"))) {
            UpstreamHost host = Tries.host(up.port());
            TryOutcome o = new EndpointExchange(client, "u").call(Tries.attempt(host));
            TryOutcome.Responded r = assertInstanceOf(TryOutcome.Responded.class, o);
            assertEquals(503, r.response().status());
            assertEquals(1, host.inFlight(), "counted until the caller has relayed the response");
            r.response().close();
            host.requestFinished();
            assertEquals(1, up.requestCount());
        }
    }

    @Test
    void aFailureIsAnOutcomeAndReleasesTheEndpoint() {
        try (RefusingPort refusing = RefusingPort.open()) {
            UpstreamHost host = Tries.host(refusing.port());
            TryOutcome o = new EndpointExchange(client, "u").call(Tries.attempt(host));
            assertEquals(UpstreamException.Kind.CONNECT_FAILED, assertInstanceOf(TryOutcome.Threw.class, o).failure().kind());
            assertEquals(0, host.inFlight());
        }
    }

    @Test
    void nothingIsSentWhenTheTotalTimeoutHasNothingLeft() throws Exception {
        try (TestUpstream up = TestUpstream.start("a").behave(Behaviors.ok("a"))) {
            UpstreamHost host = Tries.host(up.port());
            Timeouts total = new Timeouts(Optional.empty(), Optional.empty(), Optional.of(Duration.ofMillis(250)));
            EndpointTry late = new EndpointTry(host, Tries.get(), Tries.SECOND, Tries.SECOND,
                    System.nanoTime() + EndpointTry.MIN_TRY_NANOS / 2, total);
            TryOutcome.NotSent n = assertInstanceOf(TryOutcome.NotSent.class, new EndpointExchange(client, "u").call(late));
            assertEquals(Problem.Type.UPSTREAM_TIMEOUT, n.problem().type());
            assertEquals("upstream 'u' gave no response within the total timeout of 250 ms", n.problem().detail());
            assertTrue(n.retryAfter().isEmpty());
            assertEquals(0, up.requestCount());
            assertEquals(0, host.inFlight());
        }
    }
}
