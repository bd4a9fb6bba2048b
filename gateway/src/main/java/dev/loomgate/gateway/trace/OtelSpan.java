package dev.loomgate.gateway.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/** A sampled {@link TraceSpan}. */
final class OtelSpan implements TraceSpan {
    private final Span span;

    OtelSpan(Span span) {
        this.span = span;
    }

    @Override
    public boolean recording() {
        return true;
    }

    @Override
    public TraceSpan attribute(String key, String value) {
        span.setAttribute(key, value);
        return this;
    }

    @Override
    public void end() {
        span.end();
    }

    @Override
    public void fail(String reason) {
        span.setAttribute(SemConv.ERROR_TYPE, reason);
        span.setStatus(StatusCode.ERROR, reason);
        span.end();
    }
}
