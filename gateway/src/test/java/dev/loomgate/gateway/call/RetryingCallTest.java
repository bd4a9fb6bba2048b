package dev.loomgate.gateway.call;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.client.UpstreamClient;
import dev.loomgate.gateway.client.UpstreamRequest;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.resilience.ResilienceMetrics;
import dev.loomgate.gateway.resilience.ResilienceRegistry;
import dev.loomgate.gateway.resilience.RetryPolicy;
import dev.loomgate.gateway.resilience.Timeouts;
import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.FixedRequest;
import dev.loomgate.gateway.testing.RefusingPort;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.gateway.upstream.Endpoint;
import dev.loomgate.gateway.upstream.LoadBalancerKind;
import dev.loomgate.gateway.upstream.Upstream;
import dev.loomgate.gateway.upstream.UpstreamDefinition;
import dev.loomgate.gateway.upstream.UpstreamHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class RetryingCallTest {
    private static final RetryPolicy TWO = new RetryPolicy(2, RetryPolicy.DEFAULT_ON, RetryPolicy.DEFAULT_STATUSES, 100, 100, 65536);
    private final UpstreamClient client = Tries.client();
    private final ResilienceMetrics metrics = new ResilienceMetrics();
    private final ResilienceRegistry registry = new ResilienceRegistry(metrics);
    private final List<String> seen = new ArrayList<>();

    @AfterEach
    void close() {
        client.close();
    }

    private static Upstream upstream(int... ports) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (int p : ports) {
            endpoints.add(new Endpoint("127.0.0.1", p, 1));
        }
        return new Upstream(new UpstreamDefinition("u", endpoints, LoadBalancerKind.ROUND_ROBIN, Optional.empty()),
                endpoints.stream().map(UpstreamHost::new).toList());
    }

    private CallOutcome call(Upstream u, EndpointCall tries, RetryPolicy policy, UpstreamRequest request) {
        Route route = Tries.route("r", "u", policy, Timeouts.NONE);
        return new RetryingCall(u, client.settings(), registry, RetryRule.failsafe(), rejection -> {
            throw new AssertionError("no client body here");
        }, tries).call(new CallRequest(route, FixedRequest.fromIp("192.0.2.1"), request, seen::add));
    }

    @Test
    void aRefusedConnectIsRetriedOnAnotherEndpoint() throws Exception {
        try (RefusingPort refusing = RefusingPort.open();
             TestUpstream ok = TestUpstream.start("ok").behave(Behaviors.ok("ok"))) {
            Upstream u = upstream(refusing.port(), ok.port());
            CallOutcome.Answered a = assertInstanceOf(CallOutcome.Answered.class,
                    call(u, new EndpointExchange(client, "u"), TWO, Tries.post()));
            assertEquals(200, a.response().status());
            a.response().close();
            a.finished().run();
            assertEquals(List.of("127.0.0.1:" + refusing.port(), "127.0.0.1:" + ok.port()), seen);
            assertEquals(1, metrics.count("loomgate_retries_total", "route=\"r\",reason=\"connect-failure\""));
            u.hosts().forEach(h -> assertEquals(0, h.inFlight()));
        }
    }

    @Test
    void aPostThatMayHaveArrivedIsNotRetried() throws Exception {
        try (TestUpstream closing = TestUpstream.start("c").behave(Behaviors.closeBeforeResponse());
             TestUpstream ok = TestUpstream.start("ok").behave(Behaviors.ok("ok"))) {
            CallOutcome.Failed f = assertInstanceOf(CallOutcome.Failed.class,
                    call(upstream(closing.port(), ok.port()), new EndpointExchange(client, "u"), TWO, Tries.post()));
            assertEquals(Problem.Type.UPSTREAM_UNREACHABLE, f.problem().type());
            assertEquals(0, ok.requestCount());
            assertEquals(1, metrics.count("loomgate_retries_skipped_total", "route=\"r\",reason=\"not-idempotent\""));
        }
    }

    @Test
    void aRetryableStatusIsRetriedAndItsResponseDiscarded() throws Exception {
        try (TestUpstream busy = TestUpstream.start("busy").behave(Behaviors.status(503, "busy"));
             TestUpstream ok = TestUpstream.start("ok").behave(Behaviors.ok("ok"))) {
            Upstream u = upstream(busy.port(), ok.port());
            CallOutcome.Answered a = assertInstanceOf(CallOutcome.Answered.class,
                    call(u, new EndpointExchange(client, "u"), TWO, Tries.get()));
            assertEquals(200, a.response().status());
            assertEquals(0, u.hosts().getFirst().inFlight(), "the 503 try is finished");
            assertEquals(1, u.hosts().get(1).inFlight(), "the answer is counted until relayed");
            a.response().close();
            a.finished().run();
            assertEquals(1, metrics.count("loomgate_retries_total", "route=\"r\",reason=\"status-503\""));
        }
    }

    @Test
    void withoutRetriesAStatusIsAnsweredAsItIs() throws Exception {
        try (TestUpstream busy = TestUpstream.start("busy").behave(Behaviors.status(503, "busy"))) {
            CallOutcome.Answered a = assertInstanceOf(CallOutcome.Answered.class,
                    call(upstream(busy.port()), new EndpointExchange(client, "u"), RetryPolicy.NONE, Tries.get()));
            assertEquals(503, a.response().status());
            a.response().close();
            a.finished().run();
            assertEquals(0, metrics.sum("loomgate_retries_skipped_total", "route=\"r\""));
        }
    }

    @Test
    void anUnsentTryEndsTheCallWithItsProblem() {
        Tries.Fixed open = new Tries.Fixed(new TryOutcome.NotSent(new Problem(Problem.Type.CIRCUIT_OPEN, "open"),
                Optional.of(Duration.ofSeconds(7))));
        CallOutcome.Failed f = assertInstanceOf(CallOutcome.Failed.class, call(upstream(9), open, TWO, Tries.get()));
        assertEquals(Problem.Type.CIRCUIT_OPEN, f.problem().type());
        assertEquals(Optional.of(Duration.ofSeconds(7)), f.retryAfter());
        assertEquals(1, open.calls().get(), "never retried");
    }

    @Test
    void noAvailableEndpoint() {
        Upstream u = upstream(9, 10);
        u.hosts().forEach(UpstreamHost::markUnavailable);
        Tries.Fixed never = new Tries.Fixed(Tries.threw(dev.loomgate.gateway.client.UpstreamException.Kind.CONNECT_FAILED));
        CallOutcome.Failed f = assertInstanceOf(CallOutcome.Failed.class, call(u, never, TWO, Tries.get()));
        assertEquals(new Problem(Problem.Type.NO_HEALTHY_ENDPOINT, "upstream 'u' has no available endpoint"), f.problem());
        assertEquals(Set.of(), Set.copyOf(seen));
        assertEquals(0, never.calls().get());
    }
}
