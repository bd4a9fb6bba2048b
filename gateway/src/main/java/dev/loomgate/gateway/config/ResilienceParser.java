package dev.loomgate.gateway.config;

import dev.loomgate.gateway.units.Units;

import dev.loomgate.gateway.yaml.YamlValue;
import dev.loomgate.gateway.yaml.ConfigException;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.resilience.CircuitBreakerSettings;
import dev.loomgate.gateway.resilience.HealthCheckSettings;
import dev.loomgate.gateway.resilience.OutlierSettings;
import dev.loomgate.gateway.resilience.RetryPolicy;
import dev.loomgate.gateway.resilience.RouteResilience;
import dev.loomgate.gateway.resilience.Timeouts;
import dev.loomgate.gateway.resilience.UpstreamResilience;

/**
 * Parses the resilience keys of a route ({@code timeouts}, {@code retries}) and of an upstream
 * ({@code timeouts}, {@code health-check}, {@code outlier-detection}, {@code circuit-breaker},
 * {@code max-in-flight}, {@code panic-mode}). Reference: docs/CONFIG.md.
 */
final class ResilienceParser {
    static final Set<String> TIMEOUT_KEYS = RoutesParser.orderedSet("connect", "response", "total");
    static final Set<String> RETRY_KEYS = RoutesParser.orderedSet("attempts", "on", "budget", "max-buffered-body");
    static final Set<String> BUDGET_KEYS = RoutesParser.orderedSet("percent", "min-per-second");
    static final Set<String> HEALTH_KEYS = RoutesParser.orderedSet(
            "path", "interval", "timeout", "healthy-threshold", "unhealthy-threshold", "expected-statuses");
    static final Set<String> OUTLIER_KEYS = RoutesParser.orderedSet(
            "consecutive-failures", "base-ejection-time", "max-ejection-time", "max-ejection-percent");
    static final Set<String> BREAKER_KEYS = RoutesParser.orderedSet(
            "window", "failure-ratio", "open-for", "half-open-requests");
    static final long MAX_BUFFERED_BODY_LIMIT = 16L * 1024 * 1024;
    /** {@code expected-statuses} of a health check when not given: {@code [200-299]}. */
    static final int DEFAULT_EXPECTED_LOW = 200;
    /** {@code max-in-flight} when not given: no bulkhead. */
    static final int UNLIMITED_IN_FLIGHT = 0;
    static final boolean DEFAULT_PANIC_MODE = false;
    static final int DEFAULT_EXPECTED_HIGH = 299;

    private ResilienceParser() {
    }

    static RouteResilience route(YamlValue.Fields f) throws ConfigException {
        Timeouts timeouts = f.has("timeouts") ? timeouts(f.required("timeouts")) : Timeouts.NONE;
        RetryPolicy retries = f.has("retries") ? retries(f.required("retries")) : RetryPolicy.NONE;
        return new RouteResilience(timeouts, retries);
    }

    static UpstreamResilience upstream(YamlValue.Fields f) throws ConfigException {
        Timeouts timeouts = f.has("timeouts") ? timeouts(f.required("timeouts")) : Timeouts.NONE;
        Optional<HealthCheckSettings> hc = f.has("health-check")
                ? Optional.of(healthCheck(f.required("health-check"))) : Optional.empty();
        Optional<OutlierSettings> outlier = f.has("outlier-detection")
                ? Optional.of(outlier(f.required("outlier-detection"))) : Optional.empty();
        Optional<CircuitBreakerSettings> breaker = f.has("circuit-breaker")
                ? Optional.of(breaker(f.required("circuit-breaker"))) : Optional.empty();
        int maxInFlight = f.has("max-in-flight") ? f.required("max-in-flight").intIn(1, 1_000_000)
                : UNLIMITED_IN_FLIGHT;
        boolean panic = f.has("panic-mode") ? f.required("panic-mode").bool() : DEFAULT_PANIC_MODE;
        return new UpstreamResilience(timeouts, hc, outlier, breaker, maxInFlight, panic);
    }

    private static Timeouts timeouts(YamlValue node) throws ConfigException {
        YamlValue.Fields f = node.fields(TIMEOUT_KEYS);
        return new Timeouts(optionalPositive(f, "connect"), optionalPositive(f, "response"), optionalPositive(f, "total"));
    }

    private static RetryPolicy retries(YamlValue node) throws ConfigException {
        YamlValue.Fields f = node.fields(RETRY_KEYS);
        int attempts = f.has("attempts") ? f.required("attempts").intIn(1, 10) : RetryPolicy.DEFAULT_ATTEMPTS;
        Set<RetryPolicy.Condition> on = RetryPolicy.DEFAULT_ON;
        Set<Integer> statuses = RetryPolicy.DEFAULT_STATUSES;
        if (f.has("on")) {
            on = new LinkedHashSet<>();
            statuses = new LinkedHashSet<>();
            for (YamlValue v : f.required("on").sequence()) {
                String text = v.nonBlankString().trim();
                Optional<RetryPolicy.Condition> c = condition(text);
                if (c.isPresent()) {
                    on.add(c.get());
                } else if (text.matches("5\\d\\d")) {
                    statuses.add(Integer.parseInt(text));
                } else {
                    throw v.error("'" + text + "' is not a retry condition (valid: connect-failure, reset, timeout,"
                            + " or a status 500..599)");
                }
            }
        }
        int percent = RetryPolicy.DEFAULT_BUDGET_PERCENT;
        int minPerSecond = RetryPolicy.DEFAULT_BUDGET_MIN_PER_SECOND;
        if (f.has("budget")) {
            YamlValue.Fields b = f.required("budget").fields(BUDGET_KEYS);
            if (b.has("percent")) {
                percent = b.required("percent").intIn(0, 100);
            }
            if (b.has("min-per-second")) {
                minPerSecond = b.required("min-per-second").intIn(0, 10_000);
            }
        }
        long maxBuffered = RetryPolicy.DEFAULT_MAX_BUFFERED_BODY;
        if (f.has("max-buffered-body")) {
            maxBuffered = f.required("max-buffered-body").sizeIn(0, MAX_BUFFERED_BODY_LIMIT);
        }
        return new RetryPolicy(attempts, on, statuses, percent, minPerSecond, maxBuffered);
    }

    private static Optional<RetryPolicy.Condition> condition(String text) {
        for (RetryPolicy.Condition c : RetryPolicy.Condition.values()) {
            if (c.configName().equals(text)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    private static HealthCheckSettings healthCheck(YamlValue node) throws ConfigException {
        YamlValue.Fields f = node.fields(HEALTH_KEYS);
        YamlValue pathNode = f.required("path");
        String path = pathNode.nonBlankString();
        if (!path.startsWith("/") || path.chars().anyMatch(ch -> ch <= ' ' || ch == 0x7f)) {
            throw pathNode.error("must be an origin-form path starting with '/' without spaces, got '" + path + "'");
        }
        Duration interval = f.has("interval") ? positive(f.required("interval")) : HealthCheckSettings.DEFAULT_INTERVAL;
        Duration timeout = f.has("timeout") ? positive(f.required("timeout")) : HealthCheckSettings.DEFAULT_TIMEOUT;
        int healthy = f.has("healthy-threshold") ? f.required("healthy-threshold").intIn(1, 100)
                : HealthCheckSettings.DEFAULT_HEALTHY_THRESHOLD;
        int unhealthy = f.has("unhealthy-threshold") ? f.required("unhealthy-threshold").intIn(1, 100)
                : HealthCheckSettings.DEFAULT_UNHEALTHY_THRESHOLD;
        Set<Integer> expected = new LinkedHashSet<>();
        if (f.has("expected-statuses")) {
            for (YamlValue v : f.required("expected-statuses").sequence()) {
                statusRange(v, expected);
            }
            if (expected.isEmpty()) {
                throw f.required("expected-statuses").error("must list at least one status");
            }
        } else {
            for (int s = DEFAULT_EXPECTED_LOW; s <= DEFAULT_EXPECTED_HIGH; s++) {
                expected.add(s);
            }
        }
        return new HealthCheckSettings(path, interval, timeout, healthy, unhealthy, expected);
    }

    /** {@code 200} or {@code 200-299}. */
    private static void statusRange(YamlValue v, Set<Integer> into) throws ConfigException {
        String text = v.nonBlankString().trim();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{3})(?:\\s*-\\s*(\\d{3}))?").matcher(text);
        if (!m.matches()) {
            throw v.error("'" + text + "' is not a status or a range like 200-299");
        }
        int from = Integer.parseInt(m.group(1));
        int to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
        if (from < 100 || to > 599 || from > to) {
            throw v.error("'" + text + "' is not within 100..599 (low-high)");
        }
        for (int s = from; s <= to; s++) {
            into.add(s);
        }
    }

    private static OutlierSettings outlier(YamlValue node) throws ConfigException {
        YamlValue.Fields f = node.fields(OUTLIER_KEYS);
        OutlierSettings d = OutlierSettings.DEFAULTS;
        int consecutive = f.has("consecutive-failures") ? f.required("consecutive-failures").intIn(1, 1000)
                : d.consecutiveFailures();
        Duration base = f.has("base-ejection-time") ? positive(f.required("base-ejection-time")) : d.baseEjectionTime();
        Duration max = f.has("max-ejection-time") ? positive(f.required("max-ejection-time")) : d.maxEjectionTime();
        if (max.compareTo(base) < 0) {
            YamlValue at = f.optional("max-ejection-time").orElse(f.optional("base-ejection-time").orElse(node));
            throw at.error("max-ejection-time (" + max.toMillis() + " ms) must not be shorter than base-ejection-time ("
                    + base.toMillis() + " ms)");
        }
        int percent = f.has("max-ejection-percent") ? f.required("max-ejection-percent").intIn(0, 100)
                : d.maxEjectionPercent();
        return new OutlierSettings(consecutive, base, max, percent);
    }

    private static CircuitBreakerSettings breaker(YamlValue node) throws ConfigException {
        YamlValue.Fields f = node.fields(BREAKER_KEYS);
        CircuitBreakerSettings d = CircuitBreakerSettings.DEFAULTS;
        return new CircuitBreakerSettings(
                f.has("window") ? f.required("window").intIn(1, 10_000) : d.window(),
                f.has("failure-ratio") ? f.required("failure-ratio").intIn(1, 100) : d.failureRatio(),
                f.has("open-for") ? positive(f.required("open-for")) : d.openFor(),
                f.has("half-open-requests") ? f.required("half-open-requests").intIn(1, 1000) : d.halfOpenRequests());
    }

    private static Optional<Duration> optionalPositive(YamlValue.Fields f, String key) throws ConfigException {
        return f.has(key) ? Optional.of(positive(f.required(key))) : Optional.empty();
    }

    private static Duration positive(YamlValue v) throws ConfigException {
        Duration d = v.duration();
        if (d.isZero()) {
            throw v.error("must be longer than 0");
        }
        return d;
    }
}
