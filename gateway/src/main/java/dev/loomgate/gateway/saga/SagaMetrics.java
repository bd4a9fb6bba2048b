package dev.loomgate.gateway.saga;

import java.util.concurrent.atomic.LongAdder;

import dev.loomgate.gateway.observe.PrometheusText;

/** This node's saga counters (docs/SAGAS.md, Metrics); the stuck gauge is cluster-wide, read from the log. */
final class SagaMetrics {
    final LongAdder started = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder compensated = new LongAdder();
    final LongAdder stuck = new LongAdder();
    final LongAdder takeovers = new LongAdder();
    final LongAdder fenced = new LongAdder();
    final LongAdder calls = new LongAdder();
    final LongAdder callFailures = new LongAdder();

    void write(PrometheusText p, long stuckNow) {
        counter(p, "loomgate_sagas_started_total", "Sagas started on this node.", started);
        counter(p, "loomgate_sagas_completed_total", "Sagas this node finished with every step done.", completed);
        counter(p, "loomgate_sagas_compensated_total", "Sagas this node finished by compensating every taken step.", compensated);
        counter(p, "loomgate_sagas_parked_stuck_total", "Sagas this node parked as stuck (compensation or forward step exhausted).", stuck);
        counter(p, "loomgate_saga_takeovers_total", "Sagas this node took over from a node whose lease expired.", takeovers);
        counter(p, "loomgate_saga_fenced_total", "Writes this node lost because another node had taken the saga over.", fenced);
        counter(p, "loomgate_saga_participant_calls_total", "Participant calls (actions, compensations, confirms, cancels).", calls);
        counter(p, "loomgate_saga_participant_call_failures_total", "Participant calls that failed after their retries.", callFailures);
        if (stuckNow >= 0) {
            p.help("loomgate_sagas_stuck", "gauge", "Sagas parked as stuck in the whole cluster, waiting for an operator (alert when > 0).");
            p.sample("loomgate_sagas_stuck", "", stuckNow);
        }
    }

    private static void counter(PrometheusText p, String name, String help, LongAdder v) {
        p.help(name, "counter", help);
        p.sample(name, "", v.sum());
    }
}
