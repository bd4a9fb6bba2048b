package dev.loomgate.gateway.async;

import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

import dev.loomgate.gateway.call.UpstreamCalls;
import dev.loomgate.gateway.observe.AccessLog;
import dev.loomgate.gateway.routing.RoutingSnapshot;
import dev.loomgate.gateway.trace.Tracing;

/**
 * What every worker of a node shares: the broker, its name in the consumer group, the proxy's upstream-call chains
 * (same guards and retry budgets), the current routes, the access log, tracing, webhooks and the heartbeat timer.
 */
record WorkerContext(JobQueue queue, String nodeId, String workerName, UpstreamCalls calls,
                     Supplier<RoutingSnapshot> routing, AccessLog accessLog, Tracing tracing, Webhooks webhooks,
                     ScheduledExecutorService scheduler) {
}
