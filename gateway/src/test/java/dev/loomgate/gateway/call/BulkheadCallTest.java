package dev.loomgate.gateway.call;

import java.util.concurrent.atomic.AtomicInteger;

import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.resilience.Bulkhead;
import dev.loomgate.gateway.resilience.ResilienceMetrics;
import dev.loomgate.gateway.resilience.RetryPolicy;
import dev.loomgate.gateway.resilience.Timeouts;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class BulkheadCallTest {
    private final Bulkhead bulkhead = new Bulkhead(1);
    private final ResilienceMetrics metrics = new ResilienceMetrics();
    private final AtomicInteger finished = new AtomicInteger();

    // the bulkhead never reads the response, so there is none
    private final UpstreamCall answering = r -> new CallOutcome.Answered(null, Tries.host(9000), finished::incrementAndGet);
    private final CallRequest request = Tries.request(Tries.route("r", "u", RetryPolicy.NONE, Timeouts.NONE), Tries.get());

    @Test
    void anAnswerHoldsItsPermitUntilRelayed() {
        BulkheadCall call = new BulkheadCall("u", bulkhead, metrics, answering);
        CallOutcome.Answered first = assertInstanceOf(CallOutcome.Answered.class, call.call(request));
        CallOutcome.Failed refused = assertInstanceOf(CallOutcome.Failed.class, call.call(request));
        assertEquals(Problem.Type.UPSTREAM_MAX_IN_FLIGHT, refused.problem().type());
        assertEquals("upstream 'u' already has 1 requests in flight (max-in-flight)", refused.problem().detail());
        assertEquals(1, metrics.count("loomgate_bulkhead_rejections_total", "upstream=\"u\""));
        first.finished().run();
        assertEquals(1, finished.get(), "the inner finish still runs");
        assertEquals(0, bulkhead.inFlight());
        assertInstanceOf(CallOutcome.Answered.class, call.call(request));
    }

    @Test
    void aFailureGivesThePermitBackAtOnce() {
        BulkheadCall call = new BulkheadCall("u", bulkhead, metrics,
                r -> new CallOutcome.Failed(new Problem(Problem.Type.BAD_GATEWAY, "x")));
        call.call(request);
        assertEquals(0, bulkhead.inFlight());
        BulkheadCall throwing = new BulkheadCall("u", bulkhead, metrics, r -> {
            throw new IllegalStateException("boom");
        });
        try {
            throwing.call(request);
        } catch (IllegalStateException expected) {
            // the permit must come back all the same
        }
        assertEquals(0, bulkhead.inFlight());
    }
}
