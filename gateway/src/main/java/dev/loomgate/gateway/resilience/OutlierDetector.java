package dev.loomgate.gateway.resilience;

import java.util.List;
import java.util.logging.Logger;

import dev.loomgate.gateway.upstream.EndpointHealth;
import dev.loomgate.gateway.upstream.UpstreamHost;

/**
 * Passive outlier detection: watches the outcome of every try and ejects an endpoint after
 * {@code consecutive-failures} failures in a row, for a time that grows with each ejection in a
 * series, never ejecting more than {@code max-ejection-percent} of the upstream's endpoints.
 * An ejected endpoint returns by itself when its time is up (the balancer reads the deadline).
 */
public final class OutlierDetector {
    private static final Logger LOG = Logger.getLogger(OutlierDetector.class.getName());

    private OutlierDetector() {
    }

    /** A try to {@code host} succeeded (any answer below 500). */
    public static void success(UpstreamHost host) {
        host.health().recordSuccess();
    }

    /**
     * A try to {@code host} failed (5xx or no answer).
     *
     * @return true when this failure ejected the host
     */
    public static boolean failure(String upstream, OutlierSettings settings, List<UpstreamHost> hosts, UpstreamHost host) {
        EndpointHealth h = host.health();
        if (h.ejected() || h.recordFailure() < settings.consecutiveFailures()) {
            return false;
        }
        int ejected = 0;
        for (UpstreamHost other : hosts) {
            if (other.health().ejected()) {
                ejected++;
            }
        }
        int allowed = Math.max(settings.maxEjectionPercent() > 0 ? 1 : 0,
                hosts.size() * settings.maxEjectionPercent() / 100);
        if (ejected + 1 > allowed) {
            return false; // stays in: counted failures keep it first in line once another returns
        }
        long nanos = h.eject(settings.baseEjectionTime().toNanos(), settings.maxEjectionTime().toNanos());
        LOG.warning(() -> "upstream '" + upstream + "': endpoint " + host + " ejected for " + nanos / 1_000_000
                + " ms after " + settings.consecutiveFailures() + " consecutive failures (ejection #" + h.ejections() + ")");
        return true;
    }
}
