package dev.loomgate.gateway.client;

/**
 * One request to an upstream.
 *
 * @param method     request method
 * @param target     origin-form target: raw path plus optional {@code ?query}
 * @param headers    end-to-end headers to send (no hop-by-hop, no framing headers; Host included)
 * @param body       the body
 * @param idempotent whether sending it twice is harmless (a stale pooled connection may then be retried)
 */
public record UpstreamRequest(String method, String target, HttpFields headers, RequestBody body, boolean idempotent) {
}
