package dev.loomgate.gateway.ratelimit;

import dev.loomgate.gateway.http.MutableHeaders;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer for one request.
 *
 * @param allowed     admit the request (otherwise answer 429)
 * @param limit       the size of the policy's smallest bucket (its burst), the figure shown as RateLimit-Limit
 * @param remaining   tokens left after this request (the minimum over all bandwidths)
 * @param resetAfter  time until the bucket is full again
 * @param retryAfter  when rejected, time until a token is available; zero when allowed
 * @param degraded    decided without Redis (breaker open or Redis unreachable), by the policy's {@link FailureMode}
 */
public record RateLimitDecision(boolean allowed, long limit, long remaining, Duration resetAfter, Duration retryAfter,
                                boolean degraded) {

    public RateLimitDecision {
        remaining = Math.max(0, remaining);
        resetAfter = resetAfter == null || resetAfter.isNegative() ? Duration.ZERO : resetAfter;
        retryAfter = retryAfter == null || retryAfter.isNegative() ? Duration.ZERO : retryAfter;
    }

    /**
     * Response header fields in the form of draft-ietf-httpapi-ratelimit-headers up to -06 (three fields):
     * {@code RateLimit-Limit}, {@code RateLimit-Remaining}, {@code RateLimit-Reset} (delta seconds, rounded up), and
     * on a rejection {@code Retry-After} (delta seconds, rounded up, at least 1). This form was chosen over the newer
     * structured {@code RateLimit}/{@code RateLimit-Policy} pair because clients and other gateways (Envoy, Kong,
     * Traefik plug-ins) understand it today; switching is confined to this method.
     */
    public Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("RateLimit-Limit", Long.toString(limit));
        h.put("RateLimit-Remaining", Long.toString(remaining));
        h.put("RateLimit-Reset", Long.toString(ceilSeconds(resetAfter)));
        if (!allowed) {
            h.put("Retry-After", Long.toString(Math.max(1, ceilSeconds(retryAfter))));
        }
        return h;
    }

    /** Writes {@link #headers()} into a response. */
    public void writeHeaders(MutableHeaders response) {
        headers().forEach(response::set);
    }

    static long ceilSeconds(Duration d) {
        long nanos = d.toNanos();
        return nanos <= 0 ? 0 : (nanos + 999_999_999L) / 1_000_000_000L;
    }
}
