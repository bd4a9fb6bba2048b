package dev.loomgate.gateway.saga;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One composite route's transaction as parsed from its {@code saga:} or {@code tcc:} block. Immutable; the
 * {@link #version()} (a hash of the whole definition) is written into every saga's log so that a node resuming a
 * saga runs it against the definition it started with, or parks it when that definition is gone.
 *
 * @param syncWait       how long a synchronous client waits before it gets 202 and the status URL
 * @param async        answer 202 at once, without waiting
 * @param lease        how long a node owns a running saga without renewing; another node takes over after it
 * @param statusPrefix the path prefix of the status URL ({@code Location: <prefix><id>})
 */
record SagaDefinition(String routeId, Mode mode, String version, List<Step> steps, Optional<Template> responseBody,
                      int responseStatus, Duration syncWait, boolean async, Duration lease, String statusPrefix) {
    enum Mode { SAGA, TCC }

    /** The classification of Microservices Patterns (ch. 4): compensatable steps, then the pivot, then retriable ones. */
    enum Kind { COMPENSATABLE, PIVOT, RETRIABLE }

    SagaDefinition {
        Objects.requireNonNull(routeId, "routeId");
        steps = List.copyOf(steps);
    }

    /**
     * One HTTP call of a step.
     *
     * @param attempts how many times the call is tried in total on 5xx, timeouts and connection failures
     */
    record Call(String upstream, String method, Template.Text path, Optional<Template> body, Duration timeout,
                int attempts, Duration backoff) {
    }

    /**
     * @param group        steps with the same group number run at the same time (a declared {@code parallel:}
     *                     group); every other step has a number of its own
     * @param action       the forward call (TCC: try)
     * @param compensation the undo call (TCC: cancel); absent for pivot and retriable steps
     * @param confirm      TCC only: the confirm call
     */
    record Step(String name, int group, Kind kind, Call action, Optional<Call> compensation, Optional<Call> confirm) {
    }

    /** The steps in run order, grouped: a group of one is a plain step. */
    List<List<Step>> groups() {
        List<List<Step>> out = new java.util.ArrayList<>();
        for (Step s : steps) {
            if (out.isEmpty() || out.getLast().getFirst().group() != s.group()) {
                out.add(new java.util.ArrayList<>());
            }
            out.getLast().add(s);
        }
        return out.stream().map(List::copyOf).toList();
    }

    Optional<Step> step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    int index(String name) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    String key() {
        return routeId + "@" + version;
    }
}
