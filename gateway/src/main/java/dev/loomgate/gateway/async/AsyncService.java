package dev.loomgate.gateway.async;

import dev.loomgate.gateway.policy.async.AsyncRoutes;
import dev.loomgate.gateway.policy.async.AsyncSettings;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import dev.loomgate.gateway.call.UpstreamCalls;
import dev.loomgate.gateway.observe.AccessLog;
import dev.loomgate.gateway.observe.PrometheusText;
import dev.loomgate.gateway.pipeline.TerminalStep;
import dev.loomgate.gateway.routing.RoutingSnapshot;
import dev.loomgate.gateway.routing.RoutingState;
import dev.loomgate.gateway.trace.Tracing;

/**
 * The node's asynchronous-request service (docs/ASYNC.md): makes the terminal step of each {@code async:} route,
 * runs each route's workers once the node has started, serves the status URLs and feeds the admin API. One per
 * node, registered in the node's services as {@link AsyncRoutes} so that the {@code async:} key finds it.
 */
public final class AsyncService implements AsyncRoutes, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AsyncService.class.getName());
    /** Request transformations are not run for status URLs: they shape an upstream request there is none of. */
    public static final Set<String> STATUS_SKIPS = Set.of("rewrite");

    private final JobQueue queue;
    private final String nodeId;
    private final String workerName;
    private final AsyncMetrics metrics = new AsyncMetrics();
    private final Webhooks webhooks = new Webhooks();
    private final Map<String, AsyncSettings> settings = new ConcurrentHashMap<>();
    private final Map<String, Optional<String>> secrets = new ConcurrentHashMap<>();
    private final Map<String, RouteWorkers> workers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("loomgate-async-heartbeat").factory());
    private volatile WorkerContext context;

    public AsyncService(JobQueue queue, String nodeId) {
        this.queue = queue;
        this.nodeId = nodeId;
        byte[] r = new byte[4];
        new SecureRandom().nextBytes(r);
        // unique per process: a restarted node with the same id must not inherit its predecessor's deliveries
        this.workerName = nodeId + "-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(r);
    }

    public JobQueue queue() {
        return queue;
    }

    public AsyncMetrics metrics() {
        return metrics;
    }

    public String workerName() {
        return workerName;
    }

    /** The step of one route (a routes version is being applied); its workers start or follow the new settings. */
    @Override
    public TerminalStep step(String routeId, AsyncSettings s) {
        Optional<String> secret = s.webhook().map(w -> w.secret().resolve());
        settings.put(routeId, s);
        secrets.put(routeId, secret);
        if (context != null) {
            startWorkers(routeId);
        }
        return new AsyncStep(routeId, s, queue, metrics.route(routeId));
    }

    /**
     * Starts the workers (the node is listening): they call upstreams through the proxy's {@code calls}.
     */
    public synchronized void start(UpstreamCalls calls, RoutingState routing, AccessLog accessLog, Tracing tracing) {
        if (context != null) {
            return;
        }
        context = new WorkerContext(queue, nodeId, workerName, calls, routing::current, accessLog, tracing, webhooks,
                scheduler);
        routing.addListener(this::applied);
        applied(routing.current());
        settings.keySet().forEach(this::startWorkers);
    }

    private synchronized void startWorkers(String routeId) {
        AsyncSettings s = settings.get(routeId);
        RouteWorkers running = workers.get(routeId);
        if (s == null || running != null && running.settings().equals(s)) {
            return;
        }
        if (running != null) {
            running.close();
        }
        workers.put(routeId, new RouteWorkers(routeId, s, context, new JobRunner(context, routeId, s,
                secrets.getOrDefault(routeId, Optional.empty()), metrics.route(routeId)), metrics.route(routeId)));
        LOG.log(System.Logger.Level.INFO, "route " + routeId + ": " + s.workers() + " async worker(s) as " + workerName);
    }

    /**
     * Routes gone, or no longer async, stop their workers (their queued jobs wait in Redis for the route's return).
     * Async is the only terminal step besides the default proxy, so a route with its own terminal step is async.
     */
    private synchronized void applied(RoutingSnapshot snapshot) {
        Set<String> live = snapshot.routes().routes().stream()
                .filter(r -> snapshot.pipelines().of(r).hasOwnTerminal()).map(r -> r.id())
                .collect(java.util.stream.Collectors.toSet());
        workers.entrySet().removeIf(e -> {
            if (!live.contains(e.getKey())) {
                e.getValue().close();
                return true;
            }
            return false;
        });
        settings.keySet().retainAll(live);
        metrics.retain(live);
    }

    /** Whether the route is asynchronous on this node (for the admin API). */
    public Optional<AsyncSettings> settings(String routeId) {
        return Optional.ofNullable(settings.get(routeId));
    }

    public Set<String> routes() {
        return Set.copyOf(settings.keySet());
    }

    /**
     * The step answering a status URL ({@code /jobs/{id}} or {@code /jobs/{id}/result}), when the path is one;
     * empty for a malformed id (answered 404 by the caller, without touching Redis).
     */
    public Optional<StatusRequest> statusRequest(String path) {
        if (!path.startsWith(Jobs.PATH_PREFIX)) {
            return Optional.empty();
        }
        String rest = path.substring(Jobs.PATH_PREFIX.length());
        boolean result = rest.endsWith(Jobs.RESULT_SUFFIX);
        if (result) {
            rest = rest.substring(0, rest.length() - Jobs.RESULT_SUFFIX.length());
        }
        return JobId.parse(rest).map(id -> new StatusRequest(id, new JobStatusStep(queue, id, result,
                settings.getOrDefault(id.routeId(), AsyncSettings.defaults()))));
    }

    /** A parsed status URL: the job (its route's filters run first) and the step that answers. */
    public record StatusRequest(JobId id, TerminalStep step) {
    }

    /** A job as the admin API shows it (state JSON plus who queued what), when it exists. */
    public Optional<String> describe(String jobId) {
        return JobId.parse(jobId).flatMap(id -> queue.find(id.routeId(), id.value()).map(job -> {
            String state = JobStatusStep.statusJson(id.value(), job,
                    JobState.of(job.getOrDefault(JobFields.STATE, "")).orElse(JobState.QUEUED));
            return state.substring(0, state.length() - 1) + ",\"consumer\":"
                    + dev.loomgate.gateway.http.Json.quote(job.getOrDefault(JobFields.CONSUMER, ""))
                    + ",\"method\":" + dev.loomgate.gateway.http.Json.quote(job.getOrDefault(JobFields.METHOD, ""))
                    + ",\"target\":" + dev.loomgate.gateway.http.Json.quote(job.getOrDefault(JobFields.TARGET, ""))
                    + ",\"request_id\":"
                    + dev.loomgate.gateway.http.Json.quote(job.getOrDefault(JobFields.REQUEST_ID, "")) + "}";
        }));
    }

    /** Queues a dead job again (attempts reset); false when the id is malformed or the job is not dead. */
    public boolean replay(String jobId) {
        return JobId.parse(jobId).map(id -> queue.replay(id.routeId(), id.value())).orElse(false);
    }

    public void writeMetrics(PrometheusText p) {
        metrics.write(p);
    }

    @Override
    public void close() {
        workers.values().forEach(RouteWorkers::close);
        workers.clear();
        scheduler.shutdownNow();
        queue.close();
    }
}
