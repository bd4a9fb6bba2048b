package dev.loomgate.gateway.resilience;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the requests in flight to one upstream. Virtual threads make unbounded concurrency
 * cheap for the gateway and expensive for the upstream; beyond the cap a request is refused at
 * once (503) instead of queueing. Counts always, so the in-flight gauge works without a cap.
 */
public final class Bulkhead {
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile int max;

    /** @param max the cap; 0 = unlimited */
    public Bulkhead(int max) {
        this.max = max;
    }

    public int max() {
        return max;
    }

    /** Applies a new cap from a config reload; requests in flight are kept. */
    public void max(int max) {
        this.max = max;
    }

    public boolean tryAcquire() {
        while (true) {
            int now = inFlight.get();
            int cap = max;
            if (cap > 0 && now >= cap) {
                return false;
            }
            if (inFlight.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    public void release() {
        inFlight.decrementAndGet();
    }

    public int inFlight() {
        return inFlight.get();
    }
}
