package dev.loomgate.gateway.discovery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

import dev.loomgate.gateway.consul.Backoff;
import dev.loomgate.gateway.consul.BlockingWatch;
import dev.loomgate.gateway.consul.ConsulClient;
import dev.loomgate.gateway.consul.ConsulException;
import dev.loomgate.gateway.consul.ServiceInstance;
import dev.loomgate.gateway.upstream.ConsulService;
import dev.loomgate.gateway.upstream.Endpoint;

/**
 * Watches one Consul service and hands its endpoints to the routing state. A new list passes the
 * panic guard first: an empty list after a non-empty one is always refused, and so is a list
 * smaller than {@code panicThreshold} of the one in use; the old list then keeps serving and the
 * refusal shows in logs and metrics. While Consul is unreachable the last list stays and
 * {@link #stale()} is true. While frozen nothing is applied; the latest list is kept for later.
 */
public final class ServiceEndpointsWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ServiceEndpointsWatcher.class.getName());

    private final ConsulService service;
    private final double panicThreshold;
    private final BiConsumer<ConsulService, List<Endpoint>> sink;
    private final BooleanSupplier frozen;
    private final BlockingWatch<List<ServiceInstance>> watch;
    private final ReentrantLock offerLock = new ReentrantLock();
    private final LongAdder refused = new LongAdder();
    private volatile List<Endpoint> latest;
    private volatile List<Endpoint> applied;
    private volatile boolean stale;
    private volatile boolean panicking;
    private volatile String lastError = "";
    private volatile Instant lastContact = Instant.EPOCH;

    public ServiceEndpointsWatcher(ConsulService service, ConsulClient client, Duration wait, Backoff backoff,
                                   double panicThreshold, BiConsumer<ConsulService, List<Endpoint>> sink,
                                   BooleanSupplier frozen) {
        this.service = service;
        this.panicThreshold = panicThreshold;
        this.sink = sink;
        this.frozen = frozen;
        this.watch = new BlockingWatch<>("service-" + service.service(),
                (index, w) -> client.healthService(service.service(), service.tags(), service.passingOnly(), index, w),
                wait, backoff, new BlockingWatch.Listener<>() {
                    @Override
                    public void changed(List<ServiceInstance> value) {
                        lastContact = Instant.now();
                        stale = false;
                        latest = endpoints(value, service.passingOnly());
                        offer();
                    }

                    @Override
                    public void failed(ConsulException error, int failures) {
                        if (!stale) {
                            LOG.warning(() -> "service " + service + ": Consul unreachable (" + error.getMessage()
                                    + "); keeping " + Optional.ofNullable(applied).map(List::size).orElse(0)
                                    + " endpoints, marked stale");
                        }
                        stale = true;
                        lastError = error.getMessage();
                    }

                    @Override
                    public void recovered() {
                        stale = false;
                        lastContact = Instant.now();
                    }
                });
    }

    /** Sets the list in use before the watch starts (from a first read or the snapshot); not guarded. */
    public void seed(List<Endpoint> endpoints, boolean fromSnapshot) {
        applied = List.copyOf(endpoints);
        stale = fromSnapshot;
        sink.accept(service, applied);
    }

    public ServiceEndpointsWatcher start() {
        watch.start();
        return this;
    }

    /** Applies the latest list if it passes the guard and the node is not frozen. */
    public void offer() {
        offerLock.lock();
        try {
            List<Endpoint> next = latest;
            if (next == null || frozen.getAsBoolean() || next.equals(applied)) {
                return;
            }
            Optional<String> refusal = refusal(applied == null ? List.of() : applied, next, panicThreshold);
            if (refusal.isPresent()) {
                if (!panicking) {
                    LOG.warning(() -> "service " + service + ": refusing new endpoint list (" + refusal.get()
                            + "); keeping " + applied);
                }
                panicking = true;
                refused.increment();
                return;
            }
            if (panicking) {
                LOG.info(() -> "service " + service + ": endpoint list acceptable again: " + next);
            }
            panicking = false;
            applied = next;
            sink.accept(service, next);
        } finally {
            offerLock.unlock();
        }
    }

    /** Why {@code next} must not replace {@code previous}, if it must not. */
    static Optional<String> refusal(List<Endpoint> previous, List<Endpoint> next, double threshold) {
        if (previous.isEmpty()) {
            return Optional.empty();
        }
        if (next.isEmpty()) {
            return Optional.of("empty list after " + previous.size() + " endpoints");
        }
        if (next.size() < threshold * previous.size()) {
            return Optional.of(next.size() + " of " + previous.size() + " endpoints is below the panic threshold "
                    + threshold);
        }
        return Optional.empty();
    }

    /** Dialable endpoints, sorted; passing-only keeps passing instances, otherwise all but critical ones. */
    static List<Endpoint> endpoints(List<ServiceInstance> instances, boolean passingOnly) {
        Map<String, Endpoint> byId = new LinkedHashMap<>();
        for (ServiceInstance i : instances) {
            boolean healthy = passingOnly ? i.passing() : !"critical".equals(i.status());
            if (!healthy || i.address().isBlank() || i.port() < 1 || i.port() > 65535) {
                continue;
            }
            Endpoint e = new Endpoint(i.address(), i.port(), 1);
            byId.putIfAbsent(e.id(), e);
        }
        List<Endpoint> out = new ArrayList<>(byId.values());
        out.sort(Comparator.comparing(Endpoint::id));
        return List.copyOf(out);
    }

    public ConsulService service() {
        return service;
    }

    public boolean stale() {
        return stale;
    }

    public boolean panicking() {
        return panicking;
    }

    public long refused() {
        return refused.sum();
    }

    public long indexResets() {
        return watch.resets();
    }

    public List<Endpoint> applied() {
        return applied == null ? List.of() : applied;
    }

    public String lastError() {
        return lastError;
    }

    public Instant lastContact() {
        return lastContact;
    }

    @Override
    public void close() {
        watch.close();
    }
}
