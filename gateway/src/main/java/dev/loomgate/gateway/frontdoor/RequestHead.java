package dev.loomgate.gateway.frontdoor;

/**
 * A parsed, validated request head.
 *
 * @param method        the method token as sent (case-sensitive)
 * @param target        the request-target as sent
 * @param path          raw (percent-encoded) path, starting with {@code /} ({@code *} for OPTIONS *)
 * @param rawQuery      raw query without {@code ?}, empty when none
 * @param version       HTTP/1.0 or HTTP/1.1
 * @param headers       the header fields
 * @param framing       how the body is delimited
 * @param contentLength the body length for {@link Framing#LENGTH}, else 0
 * @param keepAlive     whether the client wants the connection kept after this exchange
 * @param expectContinue the client waits for {@code 100 Continue} before sending its body
 * @param upgrade       the client asked for a protocol upgrade other than h2c (refused)
 */
public record RequestHead(String method, String target, String path, String rawQuery, HttpVersion version,
                          HeaderFields headers, Framing framing, long contentLength, boolean keepAlive,
                          boolean expectContinue, boolean upgrade) {
    /** Request body framing (RFC 9112 §6.3). */
    public enum Framing { NONE, LENGTH, CHUNKED }

    public boolean hasBody() {
        return framing == Framing.CHUNKED || (framing == Framing.LENGTH && contentLength > 0);
    }
}
