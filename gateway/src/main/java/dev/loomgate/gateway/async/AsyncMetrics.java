package dev.loomgate.gateway.async;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.loomgate.gateway.observe.PrometheusText;

/** Per-route job counters and gauges of this node, written to the node's /metrics (docs/ASYNC.md, Metrics). */
public final class AsyncMetrics {
    private final Map<String, Route> routes = new ConcurrentHashMap<>();

    /** One route's figures; the gauges are refreshed by the route's maintenance loop. */
    public static final class Route {
        final LongAdder enqueued = new LongAdder();
        final LongAdder rejectedFull = new LongAdder();
        final LongAdder unreplicated = new LongAdder();
        final LongAdder started = new LongAdder();
        final LongAdder succeeded = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder dead = new LongAdder();
        final LongAdder retried = new LongAdder();
        final LongAdder redeliveries = new LongAdder();
        final LongAdder webhooksDelivered = new LongAdder();
        final LongAdder webhooksFailed = new LongAdder();
        final AtomicInteger busy = new AtomicInteger();
        volatile int workers;
        volatile JobQueue.Depth depth = new JobQueue.Depth(0, 0, 0, java.util.Optional.empty());

        void enqueued() {
            enqueued.increment();
        }

        void rejectedFull() {
            rejectedFull.increment();
        }

        void unreplicated() {
            unreplicated.increment();
        }

        /** Jobs this node accepted (202) for the route. */
        public long enqueuedCount() {
            return enqueued.sum();
        }

        public long succeededCount() {
            return succeeded.sum();
        }

        public long redeliveryCount() {
            return redeliveries.sum();
        }
    }

    public Route route(String routeId) {
        return routes.computeIfAbsent(routeId, k -> new Route());
    }

    void retain(Set<String> routeIds) {
        routes.keySet().retainAll(routeIds);
    }

    public void write(PrometheusText p) {
        counter(p, "loomgate_async_enqueued_total", "Jobs stored and answered 202 by this node.", r -> r.enqueued.sum());
        counter(p, "loomgate_async_rejected_full_total", "Requests refused with 503 because the queue was full.",
                r -> r.rejectedFull.sum());
        counter(p, "loomgate_async_unreplicated_total", "Jobs not confirmed by the configured replicas in time (503).",
                r -> r.unreplicated.sum());
        counter(p, "loomgate_async_started_total", "Job attempts started by this node's workers.", r -> r.started.sum());
        counter(p, "loomgate_async_succeeded_total", "Jobs finished with an upstream answer below 500.",
                r -> r.succeeded.sum());
        counter(p, "loomgate_async_failed_total", "Jobs finished with a final upstream error answer.", r -> r.failed.sum());
        counter(p, "loomgate_async_dead_lettered_total", "Jobs moved to the dead-letter list.", r -> r.dead.sum());
        counter(p, "loomgate_async_retries_total", "Attempts that failed and were queued again with backoff.",
                r -> r.retried.sum());
        counter(p, "loomgate_async_redeliveries_total", "Deliveries taken over from a worker that went silent.",
                r -> r.redeliveries.sum());
        counter(p, "loomgate_async_webhooks_delivered_total", "Webhook callbacks answered 2xx.",
                r -> r.webhooksDelivered.sum());
        counter(p, "loomgate_async_webhooks_failed_total", "Webhook callbacks given up after their attempts.",
                r -> r.webhooksFailed.sum());
        gauge(p, "loomgate_async_queue_length", "Unfinished jobs in the route's stream (queued or running).",
                r -> r.depth.length());
        gauge(p, "loomgate_async_waiting_retry", "Jobs waiting for their retry time.", r -> r.depth.delayed());
        gauge(p, "loomgate_async_dead_letter_length", "Jobs in the route's dead-letter list.", r -> r.depth.dead());
        gauge(p, "loomgate_async_oldest_pending_seconds", "Age of the oldest unfinished job in the stream.",
                r -> r.depth.oldestAge().map(d -> d.toMillis() / 1000.0).orElse(0.0));
        gauge(p, "loomgate_async_worker_utilisation", "Busy workers / workers of the route on this node.",
                r -> r.workers == 0 ? 0 : (double) r.busy.get() / r.workers);
    }

    private void counter(PrometheusText p, String name, String help, java.util.function.ToDoubleFunction<Route> f) {
        series(p, name, "counter", help, f);
    }

    private void gauge(PrometheusText p, String name, String help, java.util.function.ToDoubleFunction<Route> f) {
        series(p, name, "gauge", help, f);
    }

    private void series(PrometheusText p, String name, String type, String help,
                        java.util.function.ToDoubleFunction<Route> f) {
        if (routes.isEmpty()) {
            return;
        }
        p.help(name, type, help);
        routes.forEach((id, r) -> p.sample(name, "route=\"" + PrometheusText.escape(id) + "\"", f.applyAsDouble(r)));
    }
}
