package dev.loomgate.gateway.discovery;

import dev.loomgate.gateway.routing.RoutingState;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.consul.Backoff;
import dev.loomgate.gateway.consul.BlockingWatch;
import dev.loomgate.gateway.consul.ConsulClient;
import dev.loomgate.gateway.consul.ConsulException;
import dev.loomgate.gateway.consul.KvEntry;
import dev.loomgate.gateway.http.Json;

/**
 * Watches the routes under the KV prefix. Each committed change (the version key not pending)
 * is assembled, validated and swapped in atomically; an invalid one is rejected and the old
 * snapshot keeps serving. Either way the node writes {@code <prefix>status/<node-id>}. This is the
 * routes source of a node whose routes live in KV: its only output is {@link RoutingState#apply}
 * (or {@link RoutingState#reject}) and that status key.
 */
public final class KvRoutesWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KvRoutesWatcher.class.getName());

    /** What this node last did with the KV routes. */
    public record Status(String state, String version, String appliedVersion, String reason, Instant at) {
        public String json(String nodeId) {
            return "{\"node\":" + Json.quote(nodeId) + ",\"state\":" + Json.quote(state) + ",\"version\":"
                    + Json.quote(version) + ",\"applied-version\":" + Json.quote(appliedVersion) + ",\"reason\":"
                    + Json.quote(reason) + ",\"at\":" + Json.quote(at.toString()) + "}";
        }
    }

    private final KvRoutesLayout layout;
    private final ConsulClient client;
    private final RoutingState routing;
    private final String nodeId;
    private final BooleanSupplier frozen;
    private volatile java.util.function.Consumer<RoutesDocument> beforeApply = d -> { };
    private final BlockingWatch<List<KvEntry>> watch;
    private final ReentrantLock offerLock = new ReentrantLock();
    private volatile List<KvEntry> latest;
    private volatile String handledText;
    private volatile Optional<String> appliedText = Optional.empty();
    private volatile Status status;
    private volatile boolean statusDirty;
    private volatile boolean stale;
    private volatile String lastError = "";

    public KvRoutesWatcher(KvRoutesLayout layout, ConsulClient client, Duration wait, Backoff backoff,
                           RoutingState routing, String nodeId, BooleanSupplier frozen) {
        this.layout = layout;
        this.client = client;
        this.routing = routing;
        this.nodeId = nodeId;
        this.frozen = frozen;
        this.status = new Status("none", "", routing.current().version(), "no routes from Consul yet", Instant.now());
        // Watching the whole prefix also wakes on other nodes' status writes: those are filtered
        // out by configEntries(), and unchanged config is a no-op.
        this.watch = new BlockingWatch<>("kv-" + layout.prefix(),
                (index, w) -> {
                    var r = client.kvList(layout.prefix(), index, w);
                    return new dev.loomgate.gateway.consul.Indexed<>(layout.configEntries(r.value()), r.index());
                },
                wait, backoff, new BlockingWatch.Listener<>() {
                    @Override
                    public void changed(List<KvEntry> value) {
                        stale = false;
                        latest = value;
                        offer();
                    }

                    @Override
                    public void failed(ConsulException error, int failures) {
                        if (!stale) {
                            LOG.warning(() -> "KV routes: Consul unreachable (" + error.getMessage()
                                    + "); still serving version " + routing.current().version());
                        }
                        stale = true;
                        lastError = error.getMessage();
                        statusDirty = true;
                    }

                    @Override
                    public void recovered() {
                        stale = false;
                        if (statusDirty) {
                            writeStatus();
                        }
                    }
                });
    }

    /** Where the first routes came from at node start. */
    record Start(boolean consulUp, boolean fromSnapshot) {
    }

    /**
     * Loads the first routes before the node listens: live from Consul when it answers, else from
     * the last-known-good snapshot (its endpoints too, so its upstreams have some); the watch then
     * switches to live data when Consul returns.
     */
    Start bootstrap(LastKnownGood snapshot, Path snapshotFile) throws ConfigException {
        boolean applied = false;
        boolean consulUp = true;
        try {
            applied = bootstrap(client.kvList(layout.prefix()).value());
        } catch (ConsulException e) {
            consulUp = false;
            LOG.warning("Consul unreachable at start (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            consulUp = false;
        }
        if (applied) {
            return new Start(consulUp, false);
        }
        if (snapshot.routesText().isPresent()) {
            LastKnownGood saved = snapshot;
            String text = saved.routesText().get();
            saved.endpoints().forEach(routing::discovered);
            RoutesDocument doc = RoutesParser.parse(text, snapshotFile.toString());
            routing.apply(doc);
            assumeApplied(text);
            LOG.warning(() -> "serving routes version " + doc.version() + " from the last-known-good snapshot "
                    + snapshotFile + " (written " + saved.writtenAt() + ")");
            return new Start(consulUp, true);
        }
        LOG.warning("no routes in Consul and no snapshot yet: serving no routes until some are pushed");
        return new Start(consulUp, false);
    }

    /**
     * Handles a first listing synchronously (node start).
     *
     * @return true when a config was applied from it
     */
    public boolean bootstrap(List<KvEntry> all) {
        latest = layout.configEntries(all);
        offer();
        return appliedText.isPresent();
    }

    /** Marks text already applied from elsewhere (the snapshot) so an identical KV state is a no-op. */
    public void assumeApplied(String text) {
        appliedText = Optional.of(text);
        handledText = text;
    }

    /** Runs before a validated document is applied (the runtime fetches endpoints of new services). */
    public void beforeApply(java.util.function.Consumer<RoutesDocument> hook) {
        this.beforeApply = hook;
    }

    public KvRoutesWatcher start() {
        watch.start();
        return this;
    }

    /** Applies the latest KV state if it is committed, new and the node is not frozen. */
    public void offer() {
        offerLock.lock();
        try {
            List<KvEntry> entries = latest;
            if (entries == null || frozen.getAsBoolean()) {
                return;
            }
            if (layout.pending(entries)) {
                LOG.fine("KV routes: a push is in progress; waiting for it to commit");
                return;
            }
            KvRoutesLayout.Assembled a = layout.assemble(entries);
            if (a.text().equals(handledText)) {
                return;
            }
            String version = layout.versionEntry(entries).map(e -> e.valueUtf8().strip()).orElse("");
            if (a.empty() && version.isEmpty()) {
                LOG.info("KV routes: nothing under " + layout.prefix() + " yet");
                return;
            }
            handledText = a.text();
            try {
                RoutesDocument doc = layout.parse(a);
                beforeApply.accept(doc);
                Optional<String> before = appliedText;
                appliedText = Optional.of(a.text()); // before the swap: the snapshot writer reads it on the swap
                try {
                    routing.apply(doc);
                } catch (IllegalArgumentException e) {
                    // a policy this node cannot create (e.g. a secret file it cannot read): rejected like bad YAML
                    appliedText = before;
                    throw new ConfigException(layout.prefix(), 0, "", "rejected: " + e.getMessage(), e);
                } catch (RuntimeException e) {
                    appliedText = before;
                    throw e;
                }
                status = new Status("applied", doc.version(), doc.version(), "", Instant.now());
            } catch (ConfigException e) {
                routing.reject(e);
                status = new Status("rejected", version.isEmpty() ? "?" : version, routing.current().version(),
                        e.getMessage(), Instant.now());
            }
            writeStatus();
        } finally {
            offerLock.unlock();
        }
    }

    private void writeStatus() {
        try {
            client.kvPut(layout.statusKey(nodeId), status.json(nodeId));
            statusDirty = false;
        } catch (ConsulException e) {
            statusDirty = true;
            LOG.fine(() -> "KV routes: could not write status: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Status status() {
        return status;
    }

    /** The document text last applied from KV (or the snapshot). */
    public Optional<String> appliedText() {
        return appliedText;
    }

    public boolean stale() {
        return stale;
    }

    public String lastError() {
        return lastError;
    }

    public long indexResets() {
        return watch.resets();
    }

    @Override
    public void close() {
        watch.close();
    }
}
