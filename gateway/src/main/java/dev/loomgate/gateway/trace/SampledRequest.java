package dev.loomgate.gateway.trace;

import java.util.Optional;

import dev.loomgate.gateway.observe.TraceContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * The trace of a sampled request. The server span is the current span of the request's thread from start to
 * {@link #end}, so the rate limiter's Redis calls on that thread become its children.
 */
final class SampledRequest implements RequestTrace {
    private final Tracer tracer;
    private final Span server;
    private final Context context;
    private final Scope scope;
    private final String method;

    SampledRequest(Tracer tracer, Span server, String method) {
        this.tracer = tracer;
        this.server = server;
        this.method = method;
        this.context = Context.root().with(server);
        this.scope = context.makeCurrent();
    }

    @Override
    public boolean sampled() {
        return true;
    }

    @Override
    public TraceContext context(TraceContext incoming) {
        SpanContext sc = server.getSpanContext();
        return new TraceContext(traceparent(sc.getTraceId(), sc.getSpanId()),
                incoming.created() ? Optional.empty() : incoming.tracestate(), sc.getTraceId(),
                incoming.created());
    }

    static String traceparent(String traceId, String spanId) {
        return "00-" + traceId + "-" + spanId + "-01";
    }

    /** The server span was started with the method as its name; routed, it becomes "{method} {route}". */
    @Override
    public void routed(String routeId, String upstream) {
        server.updateName(method + " " + routeId);
        server.setAttribute(SemConv.ROUTE, routeId);
        server.setAttribute(SemConv.UPSTREAM, upstream);
    }

    @Override
    public TrySpan startTry(String method, String upstream, String address, int port, int attempt) {
        Span span = tracer.spanBuilder(method + " " + upstream).setSpanKind(SpanKind.CLIENT).setParent(context)
                .setAttribute(SemConv.HTTP_METHOD, method)
                .setAttribute(SemConv.SERVER_ADDRESS, address)
                .setAttribute(SemConv.SERVER_PORT, (long) port)
                .setAttribute(SemConv.UPSTREAM, upstream)
                .setAttribute(SemConv.ATTEMPT, (long) attempt)
                .startSpan();
        if (attempt > 1) {
            span.setAttribute(SemConv.RESEND_COUNT, (long) attempt - 1);
        }
        return new Try(span);
    }

    @Override
    public void end(int status) {
        server.setAttribute(SemConv.HTTP_STATUS, (long) status);
        if (status >= 500) {
            server.setStatus(StatusCode.ERROR);
        }
        scope.close();
        server.end();
    }

    /** The client span of one try. */
    private record Try(Span span) implements TrySpan {
        @Override
        public boolean recording() {
            return true;
        }

        @Override
        public String traceparent() {
            SpanContext sc = span.getSpanContext();
            return SampledRequest.traceparent(sc.getTraceId(), sc.getSpanId());
        }

        @Override
        public void responded(int status) {
            span.setAttribute(SemConv.HTTP_STATUS, (long) status);
            if (status >= 500) {
                span.setAttribute(SemConv.ERROR_TYPE, Integer.toString(status));
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
        }

        @Override
        public void failed(String reason) {
            span.setAttribute(SemConv.ERROR_TYPE, reason);
            span.setStatus(StatusCode.ERROR, reason);
            span.end();
        }
    }
}
