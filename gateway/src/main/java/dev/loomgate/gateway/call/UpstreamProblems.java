package dev.loomgate.gateway.call;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

import dev.loomgate.gateway.client.UpstreamException;
import dev.loomgate.gateway.frontdoor.ClientBodyException;
import dev.loomgate.gateway.frontdoor.Rejection;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.resilience.Timeouts;
import dev.loomgate.gateway.upstream.UpstreamHost;

/** The problems a call to an upstream answers with, worded in one place. */
final class UpstreamProblems {
    private UpstreamProblems() {
    }

    static Problem totalTimeout(String upstream, Timeouts t) {
        return new Problem(Problem.Type.UPSTREAM_TIMEOUT, "upstream '" + upstream + "' gave no response within the total timeout of "
                + t.total().map(Duration::toMillis).orElse(0L) + " ms");
    }

    static Problem noEndpoint(String upstream) {
        return new Problem(Problem.Type.NO_HEALTHY_ENDPOINT, "upstream '" + upstream + "' has no available endpoint");
    }

    /** @param rejectionProblem the proxy's wording of a front-door rejection (the client's body failed) */
    static Problem of(UpstreamException e, String upstream, UpstreamHost host, Function<Rejection, Problem> rejectionProblem) {
        String where = "upstream '" + upstream + "' endpoint " + host.endpoint().id();
        return switch (e.kind()) {
            case CONNECT_FAILED, RESET_BEFORE_RESPONSE ->
                    new Problem(Problem.Type.UPSTREAM_UNREACHABLE, where + ": " + e.getMessage());
            case POOL_EXHAUSTED -> new Problem(Problem.Type.UPSTREAM_BUSY, where + ": " + e.getMessage());
            case CONNECT_TIMEOUT, RESPONSE_TIMEOUT -> new Problem(Problem.Type.UPSTREAM_TIMEOUT, where + ": " + e.getMessage());
            case PROTOCOL_ERROR -> new Problem(Problem.Type.BAD_GATEWAY, where + ": " + e.getMessage());
            case TLS_FAILED -> new Problem(Problem.Type.UPSTREAM_TLS, where + ": " + e.getMessage());
            case CLIENT_BODY_FAILED -> clientBodyFailure(e)
                    .map(c -> rejectionProblem.apply(c.rejection()))
                    .orElseGet(() -> new Problem(Problem.Type.BAD_REQUEST, "request body: " + e.getMessage()));
        };
    }

    /** The front door's account of the client's failure (timeout, framing, size), when it has one. */
    private static Optional<ClientBodyException> clientBodyFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ClientBodyException c) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
