package dev.loomgate.gateway.cache;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The invalidation messages between nodes ({@code <type> <sent-millis> <origin-node> <argument>}) and what a node
 * does with them. When the subscription breaks (Redis lost, Sentinel failover) and again when it is re-established,
 * L1 is flushed: a message missed in between can leave nothing stale behind.
 */
final class Invalidations implements SharedCacheStore.Listener {
    static final String KEY = "k";
    static final String ROUTE = "r";
    static final String TAG = "t";

    private final ResponseCache cache;
    private final String nodeId;
    private final LongSupplier clock;
    private final AtomicBoolean connected = new AtomicBoolean();
    final LongAdder received = new LongAdder();
    final LongAdder lagMillisSum = new LongAdder();
    final AtomicLong lagMillisMax = new AtomicLong();
    final LongAdder breaks = new LongAdder();

    Invalidations(ResponseCache cache, String nodeId, LongSupplier clock) {
        this.cache = cache;
        // unique per process start: two nodes configured with one id must still hear each other
        this.nodeId = nodeId.replace(' ', '_') + "/" + java.util.UUID.randomUUID().toString().substring(0, 8);
        this.clock = clock;
    }

    String message(String type, String argument) {
        return type + " " + clock.getAsLong() + " " + nodeId + " " + argument;
    }

    boolean connected() {
        return connected.get();
    }

    @Override
    public void subscribed() {
        connected.set(true);
        cache.flushLocal();
    }

    @Override
    public void broken() {
        if (connected.getAndSet(false)) {
            cache.flushLocal();
        }
        breaks.increment();
    }

    @Override
    public void message(String text) {
        String[] parts = text.split(" ", 4);
        if (parts.length != 4) {
            return;
        }
        long sent;
        try {
            sent = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return;
        }
        received.increment();
        long lag = Math.max(0, clock.getAsLong() - sent);
        lagMillisSum.add(lag);
        lagMillisMax.accumulateAndGet(lag, Math::max);
        boolean own = parts[2].equals(nodeId);
        switch (parts[0]) {
            case KEY -> {
                if (!own) { // our own store just put the new version in our L1
                    cache.dropPrimaryLocally(parts[3]);
                }
            }
            case ROUTE -> {
                String[] genAndRoute = parts[3].split(" ", 2);
                if (genAndRoute.length == 2) {
                    try {
                        cache.routeGeneration(genAndRoute[1], Long.parseLong(genAndRoute[0]));
                    } catch (NumberFormatException e) {
                        cache.dropRouteLocally(genAndRoute[1]);
                    }
                }
            }
            case TAG -> cache.dropTagLocally(parts[3]);
            default -> {
                // a message type from a newer node: flushing everything is always safe
                cache.flushLocal();
            }
        }
    }
}
