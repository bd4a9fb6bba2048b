package dev.loomgate.gateway.trace;

import dev.loomgate.gateway.observe.TraceContext;

/**
 * The trace of one request: its server span and the client spans of its upstream tries. {@link #UNSAMPLED} when
 * the request is not traced (tracing off, or sampling said no): every call is a no-op and allocates nothing.
 */
public interface RequestTrace {
    RequestTrace UNSAMPLED = new RequestTrace() {
        @Override
        public boolean sampled() {
            return false;
        }

        @Override
        public TraceContext context(TraceContext incoming) {
            return incoming;
        }

        @Override
        public void routed(String routeId, String upstream) {
        }

        @Override
        public TrySpan startTry(String method, String upstream, String address, int port, int attempt) {
            return TrySpan.NONE;
        }

        @Override
        public void end(int status) {
        }
    };

    boolean sampled();

    /**
     * The context to send upstream and log: {@code incoming} when unsampled, else the same trace with this
     * request's server span as parent and the sampled flag set (each try then names its own client span).
     */
    TraceContext context(TraceContext incoming);

    /** The request matched {@code routeId}, which goes to {@code upstream}. */
    void routed(String routeId, String upstream);

    /**
     * The client span of one try, child of the server span.
     *
     * @param attempt 1 for the first try, 2 for the first retry, ...
     */
    TrySpan startTry(String method, String upstream, String address, int port, int attempt);

    /** Ends the server span with the status sent to the client (5xx marks it as an error). */
    void end(int status);
}
