package dev.loomgate.gateway.discovery;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

import dev.loomgate.gateway.config.ConfigException;
import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.observe.PrometheusText;
import dev.loomgate.gateway.upstream.UpstreamRegistry;

/**
 * The node's current routing snapshot and the record of the last rejected change. Requests read
 * {@link #current()} once; a config change builds a whole new snapshot and swaps it in.
 */
public final class RoutingState {
    private static final Logger LOG = Logger.getLogger(RoutingState.class.getName());

    /** A change that was refused, and why. */
    public record Rejection(String source, String reason, Instant at) {
    }

    private final AtomicReference<RoutingSnapshot> current = new AtomicReference<>(RoutingSnapshot.empty());
    private final AtomicReference<Rejection> lastRejection = new AtomicReference<>();
    private final UpstreamRegistry registry = new UpstreamRegistry();
    private final LongAdder applied = new LongAdder();
    private final LongAdder rejected = new LongAdder();

    public RoutingSnapshot current() {
        return current.get();
    }

    /** Builds and swaps in a snapshot for a validated document. */
    public RoutingSnapshot apply(RoutesDocument doc) {
        RoutingSnapshot next = new RoutingSnapshot(doc.version(), doc.routeTable(), registry.apply(doc.upstreams()),
                Instant.now());
        RoutingSnapshot previous = current.getAndSet(next);
        applied.increment();
        LOG.info(() -> "routes version " + doc.version() + " applied (" + doc.routes().size() + " routes, "
                + doc.upstreams().size() + " upstreams; was " + previous.version() + ")");
        return next;
    }

    /** Records a refused change; the current snapshot keeps serving. */
    public void reject(ConfigException e) {
        rejected.increment();
        lastRejection.set(new Rejection(e.source(), e.getMessage(), Instant.now()));
        LOG.warning(() -> "routes change rejected, still serving version " + current().version() + ": " + e.getMessage());
    }

    public Optional<Rejection> lastRejection() {
        return Optional.ofNullable(lastRejection.get());
    }

    public void writeMetrics(PrometheusText p) {
        p.help("loomgate_config_changes_total", "counter", "Routing config changes by outcome.");
        p.sample("loomgate_config_changes_total", "outcome=\"applied\"", applied.sum());
        p.sample("loomgate_config_changes_total", "outcome=\"rejected\"", rejected.sum());
        p.help("loomgate_config_applied_timestamp_seconds", "gauge", "When the current routing snapshot was applied.");
        p.sample("loomgate_config_applied_timestamp_seconds", "", current().appliedAt().toEpochMilli() / 1000.0);
    }
}
