package dev.loomgate.gateway.trace;

/** The client span of one upstream try. */
public interface TrySpan {
    TrySpan NONE = new TrySpan() {
        @Override
        public boolean recording() {
            return false;
        }

        @Override
        public String traceparent() {
            throw new IllegalStateException("an unsampled try has no traceparent of its own");
        }

        @Override
        public void responded(int status) {
        }

        @Override
        public void failed(String reason) {
        }
    };

    boolean recording();

    /** The {@code traceparent} the try sends upstream: this span as the upstream's parent, sampled. */
    String traceparent();

    /** The endpoint answered with {@code status} (its response head; 5xx marks the span as an error). */
    void responded(int status);

    /** The try got no response (or was not sent): an error span with {@code reason}. */
    void failed(String reason);
}
