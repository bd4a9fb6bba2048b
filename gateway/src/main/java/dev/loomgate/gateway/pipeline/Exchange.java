package dev.loomgate.gateway.pipeline;

import java.util.Optional;

import dev.loomgate.gateway.http.MutableHeaders;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.http.RequestView;
import dev.loomgate.gateway.route.RouteMatch;

/**
 * One request on its way through a route's pipeline: what filters read (the request, the route match), what
 * they change (the upstream request's path and headers), what they leave for later filters (attributes), and
 * how they answer or change the answer. Used by one request's thread only.
 */
public interface Exchange {
    /** The client's request (normalized path, trusted client address). */
    RequestView request();

    /** The matched route and its path variables. */
    RouteMatch match();

    /** The request id sent upstream and back to the client. */
    String requestId();

    /** The path (still percent-encoded, no query) the upstream request will carry; starts as the request's. */
    String upstreamPath();

    void upstreamPath(String path);

    /**
     * The headers the upstream request will carry: the client's minus hop-by-hop and untrusted forwarding
     * headers, plus X-Forwarded-*, the request id and trace context.
     */
    MutableHeaders upstreamHeaders();

    /** A value an earlier filter set. */
    <T> Optional<T> attribute(Attribute<T> key);

    <T> void attribute(Attribute<T> key, T value);

    /** Registers a hook that runs just before the response head is sent, whoever answers. */
    void onResponseHead(ResponseHook hook);

    /** Answers with a problem+json response (the hooks run). */
    void answer(Problem problem);

    /** The client's response, for answers other than problems and for terminal steps. */
    ResponseWriter response();

    /** The client's request body. */
    ClientBody body();

    /**
     * Response-cache support: from now on the rest of the pipeline (the terminal step's relay, problem answers)
     * writes to {@code sink} instead of the client; the sink decides what reaches {@link #clientResponse}.
     */
    default void divertResponse(ResponseWriter sink) {
        throw new UnsupportedOperationException("this exchange cannot divert its response");
    }

    /**
     * The client's own writer, even while the response is diverted. {@code storedUpstreamResponse} marks the
     * answer as an upstream's response served from a store (a cache hit), so hooks see it as relayed.
     */
    default ResponseWriter clientResponse(boolean storedUpstreamResponse) {
        throw new UnsupportedOperationException("this exchange has no separate client writer");
    }

    /** Whether the response head has been sent. */
    default boolean answered() {
        return response().committed();
    }
}
