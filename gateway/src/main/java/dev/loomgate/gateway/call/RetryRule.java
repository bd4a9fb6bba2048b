package dev.loomgate.gateway.call;

import java.util.Optional;

import dev.loomgate.gateway.client.UpstreamRequest;
import dev.loomgate.gateway.resilience.RetryBudget;
import dev.loomgate.gateway.resilience.RetryDecision;
import dev.loomgate.gateway.resilience.RetryPolicy;

/**
 * Whether a try is retried, as data: a rule looks at the try's outcome and returns a decision
 * with its reason (Armeria's {@code RetryRule}). {@link #failsafe()} is the route's
 * {@code retries:} policy inside the safety rules no setting can loosen
 * ({@link RetryDecision#check}): a request that may have reached the upstream is retried only
 * when idempotent, never with a streamed body, never past the attempts, the total timeout or the
 * retry budget.
 */
@FunctionalInterface
public interface RetryRule {
    /** What the tries so far allow. */
    record Context(RetryPolicy policy, UpstreamRequest request, int triesSoFar, boolean timeLeft,
                   Optional<RetryBudget> budget) {
    }

    /**
     * @param kind   what to do
     * @param reason the metric label: why it is retried (a condition or {@code status-N}) or why not
     *               (a {@link RetryDecision.Skip} label); empty for {@link Kind#ANSWER}
     */
    record Decision(Kind kind, String reason) {
        /** Hand the outcome over: not a retryable failure, nothing to count. */
        public static final Decision ANSWER = new Decision(Kind.ANSWER, "");

        public static Decision retry(String reason) {
            return new Decision(Kind.RETRY, reason);
        }

        public static Decision stop(String reason) {
            return new Decision(Kind.STOP, reason);
        }
    }

    /** What to do after a try. */
    enum Kind {
        /** Try again (avoiding the endpoints already tried). */
        RETRY,
        /** A retryable failure that must not be retried: counted as skipped with the reason. */
        STOP,
        ANSWER
    }

    /** Decides after a try that reached the upstream ({@link TryOutcome.NotSent} always answers). */
    Decision decide(TryOutcome outcome, Context context);

    /** The route's policy within the safety rules; a retry it allows has been taken from the budget. */
    static RetryRule failsafe() {
        return (outcome, c) -> switch (outcome) {
            case TryOutcome.Threw t -> {
                Optional<RetryPolicy.Condition> condition = RetryDecision.condition(t.failure().kind());
                if (condition.isEmpty()) {
                    yield Decision.stop(RetryDecision.Skip.NOT_RETRYABLE.label());
                }
                Optional<RetryDecision.Skip> skip = RetryDecision.check(c.policy(), c.policy().on().contains(condition.get()),
                        t.failure().kind().nothingSent(), c.request().idempotent(), c.triesSoFar(),
                        c.request().body().replayable(), c.timeLeft(), c.budget().orElse(null));
                yield skip.map(s -> Decision.stop(s.label())).orElseGet(() -> Decision.retry(condition.get().configName()));
            }
            case TryOutcome.Responded r -> {
                int status = r.response().status();
                if (!c.policy().statuses().contains(status)) {
                    yield Decision.ANSWER;
                }
                Optional<RetryDecision.Skip> skip = RetryDecision.check(c.policy(), true, false, c.request().idempotent(),
                        c.triesSoFar(), c.request().body().replayable(), c.timeLeft(), c.budget().orElse(null));
                yield skip.map(s -> Decision.stop(s.label())).orElseGet(() -> Decision.retry("status-" + status));
            }
            case TryOutcome.NotSent n -> Decision.ANSWER;
        };
    }
}
