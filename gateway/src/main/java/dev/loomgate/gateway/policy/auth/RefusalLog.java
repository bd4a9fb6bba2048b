package dev.loomgate.gateway.policy.auth;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs why an authentication filter refused a request: the reason, the route and the request id, never the
 * credential. At most one INFO line per route every 10 s (with how many refusals it stands for), so a flood of bad
 * tokens cannot flood the log; every refusal at FINE.
 */
public final class RefusalLog {
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Logger log;
    private final String filter;
    private final String routeId;
    private final AtomicLong nextInfo = new AtomicLong(System.nanoTime());
    private final LongAdder since = new LongAdder();

    public RefusalLog(Logger log, String filter, String routeId) {
        this.log = log;
        this.filter = filter;
        this.routeId = routeId;
    }

    public void refused(String requestId, Supplier<String> reason) {
        since.increment();
        long now = System.nanoTime();
        long at = nextInfo.get();
        if (now - at >= 0 && nextInfo.compareAndSet(at, now + INTERVAL_NANOS)) {
            long count = since.sumThenReset();
            log.info(() -> filter + " refused a request on route '" + routeId + "' (request " + requestId + "): "
                    + reason.get() + (count > 1 ? " [" + count + " refusals since the last such line]" : ""));
        } else if (log.isLoggable(Level.FINE)) {
            log.fine(filter + " refused a request on route '" + routeId + "' (request " + requestId + "): "
                    + reason.get());
        }
    }
}
