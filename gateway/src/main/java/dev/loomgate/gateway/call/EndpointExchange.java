package dev.loomgate.gateway.call;

import java.time.Duration;
import java.util.Optional;

import dev.loomgate.gateway.client.UpstreamClient;
import dev.loomgate.gateway.client.UpstreamException;
import dev.loomgate.gateway.tls.ClientTls;
import dev.loomgate.gateway.upstream.UpstreamHost;

/**
 * The innermost try: sends the request to the chosen endpoint with per-try timeouts cut to what
 * is left of the total, counting it in the endpoint's in-flight count. A try with (almost)
 * nothing left of the total is not sent: it would only add a doomed request upstream.
 */
final class EndpointExchange implements EndpointCall {
    private final UpstreamClient client;
    private final String upstream;
    /** The upstream's TLS; present for {@code https://} endpoints or a {@code tls:} block. */
    private final Optional<ClientTls> tls;

    /** Plain HTTP. */
    EndpointExchange(UpstreamClient client, String upstream) {
        this(client, upstream, Optional.empty());
    }

    EndpointExchange(UpstreamClient client, String upstream, Optional<ClientTls> tls) {
        this.client = client;
        this.upstream = upstream;
        this.tls = tls;
    }

    @Override
    public TryOutcome call(EndpointTry t) {
        long left = t.deadlineNanos() - System.nanoTime();
        if (left <= EndpointTry.MIN_TRY_NANOS) {
            return new TryOutcome.NotSent(UpstreamProblems.totalTimeout(upstream, t.timeouts()), Optional.empty());
        }
        Duration response = t.responseTimeout();
        Duration connect = t.connectTimeout();
        Duration perTry = t.deadlineNanos() == EndpointTry.NO_DEADLINE || response.toNanos() <= left
                ? response : Duration.ofNanos(left);
        Duration perTryConnect = connect.toNanos() <= left ? connect : Duration.ofNanos(left);
        UpstreamHost host = t.host();
        host.requestStarted();
        try {
            // on a response the endpoint stays counted until the caller has relayed it
            return new TryOutcome.Responded(tls.isPresent()
                    ? client.exchange(host.endpoint(), tls.get(), t.request(), perTryConnect, perTry)
                    : client.exchange(host.endpoint(), t.request(), perTryConnect, perTry));
        } catch (UpstreamException e) {
            host.requestFinished();
            return new TryOutcome.Threw(e);
        } catch (RuntimeException | Error e) {
            host.requestFinished();
            throw e;
        }
    }
}
