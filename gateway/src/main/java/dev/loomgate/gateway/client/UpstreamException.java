package dev.loomgate.gateway.client;

import java.io.IOException;
import java.util.Optional;

import dev.loomgate.gateway.resilience.RetryPolicy;
import dev.loomgate.gateway.resilience.TryFailure;

/**
 * Why an exchange with an upstream failed. The kind decides the client status (502/503/504)
 * and, later, whether a retry is safe: only failures that happened before the upstream could
 * have seen the request are safe for every method.
 */
public final class UpstreamException extends IOException {
    public enum Kind implements TryFailure {
        /** TCP connect refused or unreachable: the upstream never saw the request. */
        CONNECT_FAILED(true),
        /** TCP connect did not finish in time: the upstream never saw the request. */
        CONNECT_TIMEOUT(true),
        /**
         * The TLS handshake failed (certificate untrusted, expired or for another name; the upstream refused
         * our client certificate): no request byte was sent. Answered 502 with the reason.
         */
        TLS_FAILED(true),
        /** No pooled connection became free in time; nothing was sent. */
        POOL_EXHAUSTED(true),
        /** Connection closed or reset before any response byte: the request may have been seen. */
        RESET_BEFORE_RESPONSE(false),
        /** No response (or no further response bytes) within the response timeout. */
        RESPONSE_TIMEOUT(false),
        /** The upstream answered something that is not valid HTTP/1.1. */
        PROTOCOL_ERROR(false),
        /** Reading the client's request body failed; the upstream got a partial request. */
        CLIENT_BODY_FAILED(false);

        private final boolean nothingSent;

        Kind(boolean nothingSent) {
            this.nothingSent = nothingSent;
        }

        /** True when the upstream cannot have received any byte of the request. */
        @Override
        public boolean nothingSent() {
            return nothingSent;
        }

        @Override
        public Optional<RetryPolicy.Condition> retryCondition() {
            return switch (this) {
                case CONNECT_FAILED, CONNECT_TIMEOUT, POOL_EXHAUSTED, TLS_FAILED ->
                        Optional.of(RetryPolicy.Condition.CONNECT_FAILURE);
                case RESET_BEFORE_RESPONSE -> Optional.of(RetryPolicy.Condition.RESET);
                case RESPONSE_TIMEOUT -> Optional.of(RetryPolicy.Condition.TIMEOUT);
                case PROTOCOL_ERROR, CLIENT_BODY_FAILED -> Optional.empty();
            };
        }
    }

    private final Kind kind;

    public UpstreamException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public UpstreamException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
