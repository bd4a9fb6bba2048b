package dev.loomgate.gateway.redis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;
import redis.clients.jedis.util.SafeEncoder;

/**
 * Consistent client-side caching of session hashes by hand on Redis 7.0 (RESP2), on standalone, Sentinel and Cluster.
 * Tracking is per server, so it is armed ({@link TrackedNode}) on the master, or on every master of a cluster (from
 * its slot map, {@code CLUSTER SLOTS}). Redis then sends this node the key of every change, delete or expiry of a
 * session key by any client (this node's own writes too); a nil message means "flush".
 *
 * <p>A key is served only while the master it lives on is armed: on Sentinel the pool's master, on Cluster the
 * owner of the key's slot in the armed slot map, which must also be where the cluster client sends that slot now (it
 * renews its map on MOVED); and only while every armed node's invalidation connection is quiet. A read is stored only
 * if no invalidation of its key (striped counters), no flush and no re-arm happened since it started, checked inside
 * the map's per-key lock that invalidations also take (so an invalidation overtaking the read either prevents the
 * store or removes what was stored). Any failure of an armed node's connections, a silent server, a master change or
 * any change of the slot map (checked every {@link #CHECK_MILLIS}) flushes everything and stops serving from the map
 * until tracking is armed again on the current master(s). The armed state is one immutable {@link Tracking}, swapped
 * whole: the request path takes no lock.
 */
final class SessionCache implements AutoCloseable, TrackedNode.Sink {
    private static final System.Logger LOG = System.getLogger(SessionCache.class.getName());
    private static final int STRIPES = 4096;
    private static final int SLOTS = 16384;
    /** Most session hashes one node caches (beyond, loads read Redis): bounded memory. */
    static final int MAX_ENTRIES = 100_000;
    private static final long CHECK_MILLIS = 250;

    /** One range of a cluster's slot map. */
    record SlotRange(int first, int last, RedisAddress master) {
    }

    /**
     * Tracking on {@code nodes}; {@code bySlot} (Cluster only, else null) maps each slot of {@code slotMap} to its
     * master's node. Replaced (never mutated) on every re-arm.
     */
    record Tracking(List<TrackedNode> nodes, TrackedNode[] bySlot, List<SlotRange> slotMap) {
    }

    /** What {@link #begin} saw before a read: the store happens only if all of it is unchanged. */
    record Stamp(Tracking tracking, long epoch, int stripe, long counter) {
    }

    private final RedisConnections redis;
    private final int maxEntries;
    private final ConcurrentHashMap<String, Map<String, String>> map = new ConcurrentHashMap<>();
    private final AtomicLongArray counters = new AtomicLongArray(STRIPES);
    private final AtomicLong epoch = new AtomicLong();
    private volatile Tracking tracking;
    private volatile boolean closed;
    private final Thread supervisor;
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder invalidations = new LongAdder();
    final LongAdder flushes = new LongAdder();

    SessionCache(RedisConnections redis, int maxEntries) {
        this.redis = redis;
        this.maxEntries = maxEntries;
        this.supervisor = Thread.ofPlatform().daemon().name("session-cache-tracking").start(this::supervise);
    }

    boolean armed() {
        Tracking t = tracking;
        return t != null && t.nodes().stream().allMatch(TrackedNode::alive)
                && (t.bySlot() != null || ownedBy(t.nodes().getFirst()));
    }

    /** The master tracking is armed on, while armed (standalone and Sentinel). */
    Optional<RedisAddress> armedMaster() {
        Tracking t = tracking;
        return t != null && t.bySlot() == null && armed() ? Optional.of(t.nodes().getFirst().address)
                : Optional.empty();
    }

    /** The servers tracking is armed on (every master on Cluster); empty while not armed. */
    List<RedisAddress> armedNodes() {
        Tracking t = tracking;
        return t == null || !armed() ? List.of() : t.nodes().stream().map(n -> n.address).toList();
    }

    /** The cached hash of {@code key}, when tracking is armed on the master that serves it. */
    Optional<Map<String, String>> get(String key) {
        Tracking t = tracking;
        // quiet: no invalidation is in an armed node's socket or being applied (see InvalidationReader for why)
        Map<String, String> h = t != null && routed(t, key) && quiet(t) ? map.get(key) : null;
        if (h == null) {
            misses.increment();
            return Optional.empty();
        }
        hits.increment();
        return Optional.of(h);
    }

    /** Taken before a read of {@code key}; empty while not armed for it (the read is then not stored). */
    Optional<Stamp> begin(String key) {
        Tracking t = tracking;
        if (t == null || !routed(t, key)) {
            return Optional.empty();
        }
        int s = stripe(key);
        return Optional.of(new Stamp(t, epoch.get(), s, counters.get(s)));
    }

    /** Stores what a read that began with {@code stamp} returned, unless anything invalidated it meanwhile. */
    void store(Stamp stamp, String key, Map<String, String> hash) {
        if (map.size() >= maxEntries) {
            return; // bounded: a full map serves what it has, the rest reads Redis
        }
        Map<String, String> copy = Map.copyOf(hash);
        map.compute(key, (k, old) -> stillValid(stamp, key) ? copy : old);
    }

    private boolean stillValid(Stamp stamp, String key) {
        Tracking t = tracking;
        return t == stamp.tracking() && epoch.get() == stamp.epoch()
                && counters.get(stamp.stripe()) == stamp.counter() && routed(t, key);
    }

    /** Drops {@code key}: Redis said it changed, or this node just changed it (read-your-writes before A hears). */
    void invalidate(String key) {
        counters.incrementAndGet(stripe(key)); // first, so a read in flight cannot store after the remove
        map.remove(key);
    }

    @Override
    public void invalidated(String key) {
        invalidations.increment();
        invalidate(key);
    }

    @Override
    public void failed(TrackedNode node, String why) {
        Tracking t = tracking;
        if (t != null && t.nodes().contains(node)) {
            flush(why);
        }
    }

    /** Forgets everything and stops serving until re-armed. */
    private void flush(String why) {
        tracking = null;
        epoch.incrementAndGet(); // first, so no read that began earlier stores after the clear
        map.clear();
        flushes.increment();
        LOG.log(System.Logger.Level.DEBUG, "session cache flushed: {0}", why);
    }

    /** Whether {@code key} lives on an armed master, as far as the client that reads it knows. */
    private boolean routed(Tracking t, String key) {
        if (t.bySlot() == null) {
            return ownedBy(t.nodes().getFirst());
        }
        int slot = JedisClusterCRC16.getSlot(key);
        TrackedNode node = t.bySlot()[slot];
        // the cluster client's view differs after a MOVED (a failover or resharding it saw): stop at once
        return node != null && redis.clusterMaster(slot).filter(node.address::equals).isPresent();
    }

    private boolean ownedBy(TrackedNode node) {
        Optional<RedisAddress> master = redis.currentMaster();
        return master.isPresent() && master.get().equals(node.address); // a failover the pool saw: stop at once
    }

    /** Every armed node: a write's invalidation may come from a node that is not (yet) the slot's owner here. */
    private static boolean quiet(Tracking t) {
        for (TrackedNode n : t.nodes()) {
            if (!n.quiet()) {
                return false;
            }
        }
        return true;
    }

    private static int stripe(String key) {
        return Math.floorMod(key.hashCode(), STRIPES);
    }

    /** Arms tracking, watches it (PINGs, the master or slot map) and re-arms after any failure or change. */
    private void supervise() {
        int failures = 0;
        while (!closed) {
            Tracking t = null;
            try {
                t = arm();
                failures = 0;
                long silent = redis.settings().readTimeout().toNanos() + 2 * CHECK_MILLIS * 1_000_000L;
                while (!closed && tracking == t && t.nodes().stream().allMatch(TrackedNode::alive)) {
                    Thread.sleep(CHECK_MILLIS);
                    if (moved(t)) {
                        break; // failover or resharding
                    }
                    for (TrackedNode n : t.nodes()) {
                        n.ping(silent); // throws when a server stopped answering
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | java.io.IOException e) {
                failures++;
                // WARNING once: e.g. an ACL without &__redis__:invalidate; the cache then stays off (as before it)
                LOG.log(failures == 1 && t == null ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                        "session cache tracking failed (the session cache is off until it is re-armed): {0}",
                        e.getMessage());
            } finally {
                if (t != null || tracking != null) {
                    flush("tracking connection lost, master or slot map changed");
                }
                if (t != null) {
                    t.nodes().forEach(TrackedNode::close);
                }
            }
            if (!closed) {
                try {
                    Thread.sleep(Math.min(CHECK_MILLIS << Math.min(failures, 5), 5_000)); // back off while failing
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** The master changed (Sentinel), or the slot map is not the armed one (Cluster). */
    private boolean moved(Tracking t) {
        if (t.bySlot() == null) {
            return !ownedBy(t.nodes().getFirst());
        }
        return !slotMap().equals(t.slotMap());
    }

    private Tracking arm() {
        redis.commands(); // builds the pool (Sentinel: asks the sentinels for the master)
        Tracking t;
        if (redis.settings().topology() instanceof RedisTopology.Cluster) {
            List<SlotRange> slots = slotMap();
            Map<RedisAddress, TrackedNode> nodes = new LinkedHashMap<>();
            try {
                for (SlotRange r : slots) {
                    if (!nodes.containsKey(r.master())) {
                        nodes.put(r.master(), TrackedNode.arm(r.master(), redis.masterClientConfig(), this));
                    }
                }
            } catch (RuntimeException e) {
                nodes.values().forEach(TrackedNode::close);
                throw e;
            }
            TrackedNode[] bySlot = new TrackedNode[SLOTS];
            for (SlotRange r : slots) {
                Arrays.fill(bySlot, r.first(), r.last() + 1, nodes.get(r.master()));
            }
            t = new Tracking(List.copyOf(nodes.values()), bySlot, slots);
        } else {
            RedisAddress master = redis.currentMaster().orElseThrow(() -> new IllegalStateException("no master yet"));
            t = new Tracking(List.of(TrackedNode.arm(master, redis.masterClientConfig(), this)), null, List.of());
        }
        tracking = t;
        return t;
    }

    /** The cluster's slot map as one node (any) sees it, ranges in slot order. */
    private List<SlotRange> slotMap() {
        UnifiedJedis cluster = redis.commands().orElseThrow(() -> new IllegalStateException("no cluster node yet"));
        List<SlotRange> ranges = new ArrayList<>();
        for (Object o : (List<?>) cluster.sendCommand(Protocol.Command.CLUSTER, "SLOTS")) {
            List<?> range = (List<?>) o;
            List<?> master = (List<?>) range.get(2);
            RedisAddress address = new RedisAddress(SafeEncoder.encode((byte[]) master.get(0)),
                    ((Long) master.get(1)).intValue());
            ranges.add(new SlotRange(((Long) range.get(0)).intValue(), ((Long) range.get(1)).intValue(), address));
        }
        ranges.sort(Comparator.comparingInt(SlotRange::first));
        return List.copyOf(ranges);
    }

    @Override
    public void close() {
        closed = true;
        Tracking t = tracking;
        flush("closed");
        if (t != null) {
            t.nodes().forEach(TrackedNode::close);
        }
        supervisor.interrupt();
        try {
            supervisor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
