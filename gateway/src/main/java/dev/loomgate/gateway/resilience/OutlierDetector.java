package dev.loomgate.gateway.resilience;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * Passive outlier detection of one upstream: watches the outcome of every try and ejects an
 * endpoint after {@code consecutive-failures} failures in a row, for a time that grows with each
 * ejection in a series, never ejecting more than {@code max-ejection-percent} of the upstream's
 * endpoints. An ejected endpoint returns by itself when its time is up (the balancer reads the
 * deadline).
 *
 * <p>Lock-free and exact under races: counting the ejected endpoints and then ejecting one is a
 * check-then-act, so an ejection first reserves its place by a compare-and-set on the set of
 * ejections in progress (a retry re-counts when another reservation got in first), then ejects
 * the endpoint (itself a compare-and-set, {@link EndpointHealth#tryEject}), then drops the
 * reservation. A count therefore sees every ejection that is done or about to be. Only the
 * failure that crosses the threshold gets here; every other try pays one atomic increment.
 */
public final class OutlierDetector {
    private static final Logger LOG = Logger.getLogger(OutlierDetector.class.getName());

    private final String upstream;
    private final OutlierSettings settings;
    /**
     * Endpoints being ejected right now (reserved, not yet marked), replaced by CAS. Each change publishes a new
     * {@link Reservations} object: the lists alone would not do, since every empty list is the same object, and a
     * CAS from "none" to "one" would then succeed across another try's whole reserve-eject-release (ABA) with a
     * count taken before that ejection.
     */
    private final AtomicReference<Reservations> reserved = new AtomicReference<>(new Reservations(List.of()));

    private record Reservations(List<EndpointHealth> endpoints) {
    }

    public OutlierDetector(String upstream, OutlierSettings settings) {
        this.upstream = upstream;
        this.settings = settings;
    }

    public OutlierSettings settings() {
        return settings;
    }

    /** A try to {@code host} succeeded (any answer below 500). */
    public static void success(TrackedEndpoint host) {
        host.health().recordSuccess();
    }

    /**
     * A try to {@code host} failed, judged by a detector of its own: for one caller at a time
     * (tests, tools). Concurrent callers of one upstream share one instance ({@link #failure(List, TrackedEndpoint)}).
     *
     * @return true when this failure ejected the host
     */
    public static boolean failure(String upstream, OutlierSettings settings, List<? extends TrackedEndpoint> hosts,
                                  TrackedEndpoint host) {
        return new OutlierDetector(upstream, settings).failure(hosts, host);
    }

    /**
     * A try to {@code host}, one of {@code hosts}, failed (5xx or no answer).
     *
     * @return true when this failure ejected the host
     */
    public boolean failure(List<? extends TrackedEndpoint> hosts, TrackedEndpoint host) {
        EndpointHealth h = host.health();
        if (h.ejected() || h.recordFailure() < settings.consecutiveFailures()) {
            return false;
        }
        int allowed = Math.max(settings.maxEjectionPercent() > 0 ? 1 : 0,
                hosts.size() * settings.maxEjectionPercent() / 100);
        if (!reserve(hosts, h, allowed)) {
            return false; // stays in: counted failures keep it first in line once another returns
        }
        long nanos;
        try {
            nanos = h.tryEject(settings.baseEjectionTime().toNanos(), settings.maxEjectionTime().toNanos());
        } finally {
            unreserve(h);
        }
        if (nanos < 0) {
            return false; // another try ejected it first
        }
        LOG.warning(() -> "upstream '" + upstream + "': endpoint " + host + " ejected for " + nanos / 1_000_000
                + " ms after " + settings.consecutiveFailures() + " consecutive failures (ejection #" + h.ejections() + ")");
        return true;
    }

    /** Takes a place among the ejected when fewer than {@code allowed} are ejected or being ejected. */
    private boolean reserve(List<? extends TrackedEndpoint> hosts, EndpointHealth h, int allowed) {
        while (true) {
            Reservations current = reserved.get();
            List<EndpointHealth> now = current.endpoints();
            if (now.contains(h)) {
                return false; // being ejected by another try
            }
            int out = 0;
            for (TrackedEndpoint other : hosts) {
                EndpointHealth o = other.health();
                if (o.ejected() || now.contains(o)) {
                    out++;
                }
            }
            if (out + 1 > allowed) {
                return false;
            }
            EndpointHealth[] next = now.toArray(new EndpointHealth[now.size() + 1]);
            next[now.size()] = h;
            if (reserved.compareAndSet(current, new Reservations(List.of(next)))) {
                return true;
            }
        }
    }

    private void unreserve(EndpointHealth h) {
        while (true) {
            Reservations current = reserved.get();
            List<EndpointHealth> next = current.endpoints().stream().filter(e -> e != h).toList();
            if (reserved.compareAndSet(current, new Reservations(next))) {
                return;
            }
        }
    }
}
