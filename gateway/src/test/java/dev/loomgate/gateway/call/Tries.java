package dev.loomgate.gateway.call;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import dev.loomgate.gateway.client.ClientSettings;
import dev.loomgate.gateway.client.HttpFields;
import dev.loomgate.gateway.client.RequestBody;
import dev.loomgate.gateway.client.UpstreamClient;
import dev.loomgate.gateway.client.UpstreamException;
import dev.loomgate.gateway.client.UpstreamRequest;
import dev.loomgate.gateway.resilience.RetryPolicy;
import dev.loomgate.gateway.resilience.RouteResilience;
import dev.loomgate.gateway.resilience.Timeouts;
import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.testing.FixedRequest;
import dev.loomgate.gateway.upstream.Endpoint;
import dev.loomgate.gateway.upstream.UpstreamHost;

/** Plain values and small real pieces for the call decorators' tests. */
final class Tries {
    static final Duration SECOND = Duration.ofSeconds(1);

    private Tries() {
    }

    static UpstreamClient client() {
        return new UpstreamClient(new ClientSettings(SECOND, Duration.ofSeconds(5), 8, Duration.ofSeconds(4)));
    }

    static UpstreamRequest get() {
        HttpFields headers = new HttpFields(1);
        headers.add("Host", "test");
        return new UpstreamRequest("GET", "/x", headers, RequestBody.NONE, true);
    }

    static UpstreamRequest post() {
        HttpFields headers = new HttpFields(1);
        headers.add("Host", "test");
        return new UpstreamRequest("POST", "/x", headers, new RequestBody.Bytes(new byte[]{1}), false);
    }

    static UpstreamHost host(int port) {
        return new UpstreamHost(new Endpoint("127.0.0.1", port, 1));
    }

    static List<UpstreamHost> hosts(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> host(9000 + i)).toList();
    }

    static EndpointTry attempt(UpstreamHost host) {
        return new EndpointTry(host, get(), SECOND, Duration.ofSeconds(5), EndpointTry.NO_DEADLINE, Timeouts.NONE);
    }

    static TryOutcome.Threw threw(UpstreamException.Kind kind) {
        return new TryOutcome.Threw(new UpstreamException(kind, kind.name()));
    }

    /** An inner try that answers {@code outcome} and counts its calls. */
    record Fixed(TryOutcome outcome, AtomicInteger calls) implements EndpointCall {
        Fixed(TryOutcome outcome) {
            this(outcome, new AtomicInteger());
        }

        @Override
        public TryOutcome call(EndpointTry attempt) {
            calls.incrementAndGet();
            return outcome;
        }
    }

    static Route route(String id, String upstream, RetryPolicy retries, Timeouts timeouts) {
        return Route.builder(id, upstream).resilience(new RouteResilience(timeouts, retries)).build();
    }

    static CallRequest request(Route route, UpstreamRequest request) {
        return new CallRequest(route, FixedRequest.fromIp("192.0.2.1"), request, endpoint -> { });
    }

    static Optional<Duration> none() {
        return Optional.empty();
    }
}
