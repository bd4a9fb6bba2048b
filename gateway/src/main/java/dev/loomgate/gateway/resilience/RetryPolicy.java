package dev.loomgate.gateway.resilience;

import java.util.Set;

/**
 * When a route retries (a value from the routes file). Safety rules that no setting can loosen:
 * a failure where nothing was sent (connect failure) may be retried for any method; everything
 * else only for idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE, or an
 * {@code Idempotency-Key} header); never once the response has started to be relayed.
 *
 * @param attempts         tries in total, including the first (1 = no retries)
 * @param on               failure conditions that are retried
 * @param statuses         upstream statuses that are retried (idempotent requests only)
 * @param budgetPercent    retries allowed as a percentage of requests over the budget window
 * @param budgetMinPerSecond retries always allowed per second, whatever the percentage says
 * @param maxBufferedBody  request bodies up to this size are held in memory so they can be resent;
 *                         a longer body is streamed and its request not retried
 */
public record RetryPolicy(int attempts, Set<Condition> on, Set<Integer> statuses, int budgetPercent,
                          int budgetMinPerSecond, long maxBufferedBody) {
    /** Failure conditions a route can retry on. */
    public enum Condition {
        /** Connect refused or timed out, or no pooled connection: the upstream saw nothing. */
        CONNECT_FAILURE("connect-failure"),
        /** Connection closed or reset before any response byte (idempotent requests only). */
        RESET("reset"),
        /** No response head within the per-try response timeout (idempotent requests only). */
        TIMEOUT("timeout");

        private final String configName;

        Condition(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }

    public static final int DEFAULT_ATTEMPTS = 2;
    public static final Set<Condition> DEFAULT_ON = Set.of(Condition.CONNECT_FAILURE, Condition.RESET);
    public static final Set<Integer> DEFAULT_STATUSES = Set.of(502, 503, 504);
    public static final int DEFAULT_BUDGET_PERCENT = 20;
    public static final int DEFAULT_BUDGET_MIN_PER_SECOND = 3;
    public static final long DEFAULT_MAX_BUFFERED_BODY = 64 * 1024;

    /** A route without {@code retries:} sends each request once. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Set.of(), Set.of(), DEFAULT_BUDGET_PERCENT,
            DEFAULT_BUDGET_MIN_PER_SECOND, DEFAULT_MAX_BUFFERED_BODY);

    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1");
        }
        on = Set.copyOf(on);
        statuses = Set.copyOf(statuses);
    }

    public boolean retries() {
        return attempts > 1;
    }
}
