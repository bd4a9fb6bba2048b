package dev.loomgate.gateway.trace;

/** A span of work that is not a request or an upstream try (a Redis call, a Consul read). */
public interface TraceSpan {
    /** The span of an unsampled request or of tracing off: does nothing. */
    TraceSpan NONE = new TraceSpan() {
        @Override
        public boolean recording() {
            return false;
        }

        @Override
        public TraceSpan attribute(String key, String value) {
            return this;
        }

        @Override
        public void end() {
        }

        @Override
        public void fail(String reason) {
        }
    };

    boolean recording();

    TraceSpan attribute(String key, String value);

    /** Ends the span as done. */
    void end();

    /** Ends the span with an error status. */
    void fail(String reason);
}
