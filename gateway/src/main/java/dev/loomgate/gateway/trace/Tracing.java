package dev.loomgate.gateway.trace;

import dev.loomgate.gateway.observe.PrometheusText;
import dev.loomgate.gateway.observe.TraceContext;

/**
 * The node's tracer, as the data path sees it: no OpenTelemetry type crosses this interface, so the proxy, the
 * upstream calls, the rate limiter and the Consul client depend on this package only. {@link #off()} (no
 * {@code tracing:} block) creates nothing per request; with tracing on, a request that is not sampled gets
 * {@link RequestTrace#UNSAMPLED} and allocates no span either.
 */
public interface Tracing extends AutoCloseable {
    /** Tracing off: every call answers the shared no-op. */
    static Tracing off() {
        return Off.INSTANCE;
    }

    /** OpenTelemetry with an OTLP/HTTP exporter, as {@code settings} say; {@code nodeId} goes in the resource. */
    static Tracing create(TracingSettings settings, String nodeId) {
        return OtelTracing.create(settings, nodeId);
    }

    boolean enabled();

    /**
     * The server span of one request, or {@link RequestTrace#UNSAMPLED}. Sampling is parent-based: a valid incoming
     * {@code traceparent} is followed (its sampled flag decides); a request without one is a root, sampled at the
     * configured ratio. A sampled server span is the calling thread's current span until
     * {@link RequestTrace#end(int)}, so {@link #startChild} on the same thread finds it.
     *
     * @param incoming the request's context as {@link TraceContext#from} read it
     */
    RequestTrace startRequest(TraceContext incoming, String method, String path);

    /**
     * A span under the calling thread's current request span (e.g. a Redis call of the rate limiter), or
     * {@link TraceSpan#NONE} when the thread has no sampled request span: costs one thread-local read then.
     */
    TraceSpan startChild(String name, String system);

    /**
     * A root span for background work off the request path (e.g. a Consul read), sampled at the configured ratio.
     */
    TraceSpan startBackground(String name, String system);

    /** {@code loomgate_trace_spans_total} and friends; nothing when tracing is off. */
    void writeMetrics(PrometheusText p);

    /** Exports what is queued (bounded by the export timeout) and stops. */
    @Override
    void close();

    /** Tracing off. */
    final class Off implements Tracing {
        static final Off INSTANCE = new Off();

        private Off() {
        }

        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public RequestTrace startRequest(TraceContext incoming, String method, String path) {
            return RequestTrace.UNSAMPLED;
        }

        @Override
        public TraceSpan startChild(String name, String system) {
            return TraceSpan.NONE;
        }

        @Override
        public TraceSpan startBackground(String name, String system) {
            return TraceSpan.NONE;
        }

        @Override
        public void writeMetrics(PrometheusText p) {
        }

        @Override
        public void close() {
        }
    }
}
