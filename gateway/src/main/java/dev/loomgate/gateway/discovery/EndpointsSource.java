package dev.loomgate.gateway.discovery;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.consul.Backoff;
import dev.loomgate.gateway.consul.ConsulClient;
import dev.loomgate.gateway.consul.ConsulException;
import dev.loomgate.gateway.routing.RoutingState;
import dev.loomgate.gateway.upstream.ConsulService;
import dev.loomgate.gateway.upstream.Endpoint;
import dev.loomgate.gateway.upstream.UpstreamDefinition;

/**
 * The endpoints of {@code consul:} upstreams. One {@link ServiceEndpointsWatcher} per service the
 * current routes use; its only output is the endpoint list handed to
 * {@link RoutingState#discovered}. Watchers start when a snapshot starts using a service and stop
 * when none uses it any more.
 */
public final class EndpointsSource implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EndpointsSource.class.getName());

    private final ConsulClient client;
    private final Duration watchWait;
    private final Backoff backoff;
    private final double panicThreshold;
    private final RoutingState routing;
    private final BooleanSupplier frozen;
    private final Map<ConsulService, ServiceEndpointsWatcher> watchers = new ConcurrentHashMap<>();
    private final Set<ConsulService> running = ConcurrentHashMap.newKeySet();
    private final ReentrantLock syncLock = new ReentrantLock();
    private volatile boolean started;
    private volatile boolean closed;

    public EndpointsSource(ConsulClient client, Duration watchWait, Backoff backoff, double panicThreshold,
                           RoutingState routing, BooleanSupplier frozen) {
        this.client = client;
        this.watchWait = watchWait;
        this.backoff = backoff;
        this.panicThreshold = panicThreshold;
        this.routing = routing;
        this.frozen = frozen;
    }

    /**
     * First endpoints of the services the current routes use: a direct read while Consul answers,
     * else the snapshot's lists.
     *
     * @return true when some service's endpoints came from the snapshot
     */
    boolean bootstrap(LastKnownGood snapshot, boolean consulUp) {
        boolean fromSnapshot = false;
        for (ConsulService svc : servicesInUse()) {
            ServiceEndpointsWatcher w = watcher(svc);
            if (consulUp) {
                try {
                    w.seed(read(svc), false);
                    continue;
                } catch (ConsulException e) {
                    consulUp = false;
                    LOG.warning("Consul unreachable at start (" + e.getMessage() + ")");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Optional<List<Endpoint>> saved = Optional.ofNullable(snapshot.endpoints().get(svc));
            if (saved.isPresent()) {
                w.seed(saved.get(), true);
                fromSnapshot = true;
            }
        }
        return fromSnapshot;
    }

    /**
     * Reads the endpoints of services a new document uses for the first time, so its upstreams
     * have endpoints in the very snapshot that brings them (no 503 window after a push).
     */
    void prefetch(RoutesDocument doc) {
        for (UpstreamDefinition u : doc.upstreams()) {
            if (u.consul().isEmpty() || running.contains(u.consul().get())) {
                continue;
            }
            ConsulService svc = u.consul().get();
            try {
                watcher(svc).seed(read(svc), false);
            } catch (ConsulException e) {
                LOG.fine(() -> "prefetch of " + svc + " failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Starts watching; from now on every snapshot swap {@linkplain #sync syncs} the watchers. */
    void start() {
        started = true;
        sync();
    }

    /**
     * Starts a watcher per service the current routes use and stops the others. Swaps notify on
     * the applying thread (KV watch, endpoint watchers), so two syncs can overlap; the lock makes
     * the later one work from the latest document instead of undoing it.
     */
    void sync() {
        if (closed || !started) {
            return;
        }
        syncLock.lock();
        try {
            if (!closed) { // closed meanwhile: start nothing
                syncLocked();
            }
        } finally {
            syncLock.unlock();
        }
    }

    private void syncLocked() {
        Set<ConsulService> wanted = servicesInUse();
        for (ConsulService svc : wanted) {
            ServiceEndpointsWatcher w = watcher(svc);
            if (running.add(svc)) {
                w.start();
            }
        }
        for (ConsulService svc : Set.copyOf(watchers.keySet())) {
            if (!wanted.contains(svc)) {
                ServiceEndpointsWatcher w = watchers.remove(svc);
                running.remove(svc);
                if (w != null) {
                    w.close();
                }
            }
        }
    }

    /** Applies what each watcher saw while the node was frozen. */
    void offerAll() {
        watchers.values().forEach(ServiceEndpointsWatcher::offer);
    }

    /** The services the current routes take endpoints from. */
    Set<ConsulService> servicesInUse() {
        Set<ConsulService> out = new HashSet<>();
        routing.document().ifPresent(d -> {
            for (UpstreamDefinition u : d.upstreams()) {
                u.consul().ifPresent(out::add);
            }
        });
        return out;
    }

    Collection<ServiceEndpointsWatcher> watchers() {
        return watchers.values();
    }

    private List<Endpoint> read(ConsulService svc) throws ConsulException, InterruptedException {
        var r = client.healthService(svc.service(), svc.tags(), svc.passingOnly(), 0, watchWait);
        return ServiceEndpointsWatcher.endpoints(r.value(), svc.passingOnly());
    }

    private ServiceEndpointsWatcher watcher(ConsulService svc) {
        return watchers.computeIfAbsent(svc, s -> new ServiceEndpointsWatcher(s, client, watchWait, backoff,
                panicThreshold, routing::discovered, frozen));
    }

    @Override
    public void close() {
        syncLock.lock();
        try {
            closed = true;
            watchers.values().forEach(ServiceEndpointsWatcher::close);
        } finally {
            syncLock.unlock();
        }
    }
}
