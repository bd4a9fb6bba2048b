package dev.loomgate.gateway.upstream;

import java.util.concurrent.atomic.AtomicInteger;

import dev.loomgate.gateway.resilience.EndpointHealth;
import dev.loomgate.gateway.resilience.TrackedEndpoint;

/**
 * Live state of one endpoint of one upstream, shared by the load balancer, the proxy and
 * (later) health checking and outlier detection. Kept across config reloads while the
 * endpoint stays in the upstream, so in-flight counts survive a reload.
 */
public final class UpstreamHost implements TrackedEndpoint {
    private final Endpoint endpoint;
    private final String id;
    private final AtomicInteger inFlight = new AtomicInteger();
    // Volatile, not locked: read on every balancer pick, written rarely.
    private volatile boolean markedUnavailable;
    private final EndpointHealth health = new EndpointHealth();
    private final PeakEwma latency = new PeakEwma();

    public UpstreamHost(Endpoint endpoint) {
        this.id = endpoint.id();
        this.endpoint = endpoint;
    }

    /** {@code host:port}, computed once (the data path reports it on every request). */
    public String id() {
        return id;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public int weight() {
        return endpoint.weight();
    }

    /** Requests currently sent to this host and not yet finished. */
    public int inFlight() {
        return inFlight.get();
    }

    public void requestStarted() {
        inFlight.incrementAndGet();
    }

    public void requestFinished() {
        inFlight.decrementAndGet();
    }

    /**
     * Moving average of this endpoint's try latency, read by the {@code peak-ewma} balancer and
     * written by the call layer (only for upstreams that use that balancer).
     */
    public PeakEwma latency() {
        return latency;
    }

    /** Whether the load balancer may pick this host (health and ejection feed this later). */
    public boolean available() {
        return !markedUnavailable && health.admitsTraffic();
    }

    /** Active health check and outlier state of this endpoint. */
    @Override
    public EndpointHealth health() {
        return health;
    }

    /** Whether an operator or test took the host out with {@link #markUnavailable()}. */
    public boolean markedUnavailable() {
        return markedUnavailable;
    }

    /**
     * Takes the host out of load balancing until {@link #markAvailable()}. The hook that
     * health checking and outlier ejection use (tests too); in-flight requests are not touched.
     */
    public void markUnavailable() {
        markedUnavailable = true;
    }

    /** Puts the host back into load balancing. */
    public void markAvailable() {
        markedUnavailable = false;
    }

    @Override
    public String toString() {
        return endpoint.id();
    }
}
