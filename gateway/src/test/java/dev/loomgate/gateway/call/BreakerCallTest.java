package dev.loomgate.gateway.call;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.loomgate.gateway.client.UpstreamClient;
import dev.loomgate.gateway.client.UpstreamException;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.resilience.CircuitBreaker;
import dev.loomgate.gateway.resilience.CircuitBreakerSettings;
import dev.loomgate.gateway.resilience.ResilienceMetrics;
import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BreakerCallTest {
    private final List<String> transitions = new ArrayList<>();
    private final CircuitBreaker breaker = new CircuitBreaker(new CircuitBreakerSettings(2, 50, Duration.ofSeconds(30), 1),
            (from, to) -> transitions.add(from + "->" + to));
    private final ResilienceMetrics metrics = new ResilienceMetrics();

    private BreakerCall around(EndpointCall inner) {
        return new BreakerCall("u", breaker, OutcomeRule.serverErrors(), metrics, inner);
    }

    @Test
    void upstreamFailuresOpenItAndThenNothingIsSent() {
        Tries.Fixed failing = new Tries.Fixed(Tries.threw(UpstreamException.Kind.CONNECT_FAILED));
        BreakerCall call = around(failing);
        call.call(Tries.attempt(Tries.host(9000)));
        call.call(Tries.attempt(Tries.host(9000)));
        assertEquals(List.of("CLOSED->OPEN"), transitions);
        TryOutcome.NotSent n = assertInstanceOf(TryOutcome.NotSent.class, call.call(Tries.attempt(Tries.host(9000))));
        assertEquals(2, failing.calls().get(), "the open breaker did not call further");
        assertEquals(Problem.Type.CIRCUIT_OPEN, n.problem().type());
        assertEquals("upstream 'u' is failing; its circuit breaker is open", n.problem().detail());
        assertTrue(n.retryAfter().orElseThrow().toSeconds() >= 29);
        assertEquals(1, metrics.count("loomgate_circuit_breaker_rejections_total", "upstream=\"u\""));
    }

    @Test
    void failuresThatAreNotTheUpstreamsLeaveItClosed() {
        BreakerCall clientsFault = around(new Tries.Fixed(Tries.threw(UpstreamException.Kind.CLIENT_BODY_FAILED)));
        BreakerCall poolFull = around(new Tries.Fixed(Tries.threw(UpstreamException.Kind.POOL_EXHAUSTED)));
        for (int i = 0; i < 10; i++) {
            clientsFault.call(Tries.attempt(Tries.host(9000)));
            poolFull.call(Tries.attempt(Tries.host(9000)));
        }
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
        assertTrue(transitions.isEmpty());
    }

    @Test
    void serverErrorResponsesCountNotOnlyExceptions() throws Exception {
        try (TestUpstream up = TestUpstream.start("a").behave(Behaviors.status(500, "a"));
             UpstreamClient client = Tries.client()) {
            BreakerCall call = around(new EndpointExchange(client, "u"));
            for (int i = 0; i < 2; i++) {
                TryOutcome.Responded r = assertInstanceOf(TryOutcome.Responded.class, call.call(Tries.attempt(Tries.host(up.port()))));
                assertEquals(500, r.response().status(), "the response is passed on unchanged");
                r.response().close();
            }
            assertEquals(CircuitBreaker.State.OPEN, breaker.state());
        }
    }
}
