package dev.loomgate.gateway.policy.ratelimit;

import java.util.Map;
import java.util.TreeMap;

import dev.loomgate.gateway.observe.PrometheusText;
import dev.loomgate.gateway.ratelimit.RateLimitMetrics;

/** Renders the rate-limit step's and the limiter's counters as Prometheus text. */
final class RateLimitMetricsWriter {
    private RateLimitMetricsWriter() {
    }

    static void write(PrometheusText p, Map<RateLimitService.RouteAndPolicy, RateLimitService.Counters> counters,
                      long anonymous, RateLimitMetrics m, boolean usesRedis) {
        Map<String, RateLimitService.Counters> sorted = new TreeMap<>();
        counters.forEach((k, v) -> sorted.put("route=\"" + PrometheusText.escape(k.route()) + "\",policy=\""
                + PrometheusText.escape(k.policy()) + "\"", v));
        p.help("loomgate_ratelimit_decisions_total", "counter",
                "Rate-limit decisions per route and policy, by result (allowed or limited = answered 429).");
        sorted.forEach((labels, c) -> {
            p.sample("loomgate_ratelimit_decisions_total", labels + ",result=\"allowed\"", c.allowed().sum());
            p.sample("loomgate_ratelimit_decisions_total", labels + ",result=\"limited\"", c.limited().sum());
        });
        p.help("loomgate_ratelimit_anonymous_total", "counter",
                "Requests without the policy's key (header, cookie, path variable), counted in the shared anonymous bucket.");
        p.sample("loomgate_ratelimit_anonymous_total", "", anonymous);
        p.help("loomgate_ratelimit_fallback_decisions_total", "counter",
                "Decisions taken without Redis (breaker open), by result.");
        p.sample("loomgate_ratelimit_fallback_decisions_total", "result=\"allowed\"", m.fallbackAllowed());
        p.sample("loomgate_ratelimit_fallback_decisions_total", "result=\"limited\"", m.fallbackLimited());
        p.help("loomgate_ratelimit_degraded", "gauge",
                "1 while Redis is configured but unusable and decisions come from the fallback.");
        p.sample("loomgate_ratelimit_degraded", "", m.degraded() ? 1 : 0);
        p.help("loomgate_ratelimit_redis_configured", "gauge", "1 when limits are shared through Redis, 0 when node-local.");
        p.sample("loomgate_ratelimit_redis_configured", "", usesRedis ? 1 : 0);
        p.help("loomgate_ratelimit_degraded_transitions_total", "counter", "Times the node entered degraded mode.");
        p.sample("loomgate_ratelimit_degraded_transitions_total", "", m.breakerOpenings());
        p.help("loomgate_ratelimit_redis_errors_total", "counter", "Redis calls that failed (timeout, refused, pool exhausted).");
        p.sample("loomgate_ratelimit_redis_errors_total", "", m.redisErrors());
        p.help("loomgate_ratelimit_redis_slow_calls_total", "counter", "Redis calls that answered over the latency budget.");
        p.sample("loomgate_ratelimit_redis_slow_calls_total", "", m.redisSlowCalls());
        p.help("loomgate_ratelimit_redis_calls_in_flight_peak", "gauge",
                "Most rate-limit Redis calls in flight at once (sync: reserving makes one per key).");
        p.sample("loomgate_ratelimit_redis_calls_in_flight_peak", "", m.redisCallsInFlightPeak());
        p.help("loomgate_ratelimit_refill_waits_total", "counter",
                "Decisions that waited for the key's refill in flight instead of calling Redis.");
        p.sample("loomgate_ratelimit_refill_waits_total", "", m.refillWaits());
        p.help("loomgate_ratelimit_refill_wait_timeouts_total", "counter",
                "Waits for a refill that got no token within the latency budget (decided by the fallback).");
        p.sample("loomgate_ratelimit_refill_wait_timeouts_total", "", m.refillWaitTimeouts());
        p.help("loomgate_ratelimit_refills_ahead_total", "counter",
                "Refills started in the background when a reserved chunk was half spent.");
        p.sample("loomgate_ratelimit_refills_ahead_total", "", m.refillsAhead());
        p.help("loomgate_ratelimit_redis_duration_seconds", "histogram", "Time of one rate-limit call to Redis.");
        m.redisLatency().writeTo(p, "loomgate_ratelimit_redis_duration_seconds");
    }
}
