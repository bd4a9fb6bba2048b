package dev.loomgate.gateway.redis;

import static dev.loomgate.gateway.redis.SessionScripts.CREATE;
import static dev.loomgate.gateway.redis.SessionScripts.LOAD;
import static dev.loomgate.gateway.redis.SessionScripts.MOVE_OUT;
import static dev.loomgate.gateway.redis.SessionScripts.WRITE;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * Server-side sessions: one Redis hash per session, {@code lg:session:{<id>}}. Each change is one Lua script on
 * that one key (so it runs on standalone, Sentinel and Cluster alike) and changes only the fields it names: two
 * requests of one session writing different attributes never overwrite each other (no whole-blob rewrite).
 *
 * <p>Bookkeeping fields: {@code _c} created (ms), {@code _i} this id issued (ms), {@code _a} last access (ms),
 * {@code _m} "moved to" (a rotated-away id's short-lived stub). Times are the Redis server's clock ({@code TIME}),
 * so nodes with skewed clocks agree. The key's TTL is derived from the timeouts on every touch: the least of the
 * idle timeout, what is left of the absolute timeout and what is left of the id's rolling timeout.
 *
 * <p>Most loads are a plain {@code HGETALL} (no script, no write: about a third of the Redis CPU of the script, see
 * docs/SESSIONS.md "Cost"). Only when the hash is gone, moved, past a timeout, or was last touched
 * {@link #touchInterval} ago or more does a load run the load-and-touch script; so a busy session costs Redis one write
 * per touch interval, not one per request. A plain read checks the timeouts against an upper estimate of the Redis
 * clock ({@link RedisClock}), so it never keeps a session the script would end; and the key's TTL, set at every touch
 * from the Redis clock, is the hard bound either way (Redis never returns an expired key).
 */
public final class RedisSessionStore implements AutoCloseable {
    /** Sessions need about one connection per concurrent request of a session route. */
    static final int POOL_SIZE = 32;
    public static final String PREFIX = "lg:session:";

    /** The three timeouts every operation enforces. */
    public record Timeouts(Duration idle, Duration rolling, Duration absolute) {
        public Timeouts {
            Objects.requireNonNull(idle, "idle");
            Objects.requireNonNull(rolling, "rolling");
            Objects.requireNonNull(absolute, "absolute");
        }

        List<String> args() {
            return List.of(Long.toString(idle.toMillis()), Long.toString(rolling.toMillis()),
                    Long.toString(absolute.toMillis()));
        }
    }

    /** What a lookup found. */
    public sealed interface Loaded {
        /** A live session; {@code fields} are the attributes (bookkeeping fields removed). */
        record Found(String id, long now, long createdAt, long issuedAt, Map<String, String> fields) implements Loaded {
        }

        /** The id was rotated away a moment ago (within the rotation's grace); the session is now {@code newId}. */
        record Moved(String newId) implements Loaded {
        }

        /** No such session; {@code reason} is {@code none}, {@code idle}, {@code absolute} or {@code rolling}. */
        record Missing(String reason) implements Loaded {
        }
    }

    /** Redis did not answer (down, timeout, failover in progress): the caller applies its on-redis-down rule. */
    public static final class Unavailable extends RuntimeException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final RedisConnections redis;
    private final boolean owned;
    /** Whether a load tries a plain read first (false: the script every time, the cost baseline). */
    private final boolean readFirst;
    private final RedisClock clock = new RedisClock();
    /** Loads of concurrent requests share round trips (one pipeline per round trip). */
    private final ScriptBatcher loads = ScriptBatcher.evalsha(LOAD.sha(), (key, args) -> run(LOAD, key, args));
    /** Plain reads of concurrent requests share round trips too. */
    private final ScriptBatcher reads = new ScriptBatcher((pipeline, key, args) -> pipeline.hgetAll(key),
            (key, args) -> jedis().hgetAll(key));

    /** Client-side cache of session hashes (see {@link SessionCache}); started by the first load that asks for it. */
    private volatile SessionCache cache;
    private volatile boolean closed;

    private RedisSessionStore(RedisConnections redis, boolean owned, boolean readFirst) {
        this.redis = redis;
        this.owned = owned;
        this.readFirst = readFirst;
    }

    public SessionCacheStats cacheStats() {
        SessionCache c = cache;
        return c == null ? SessionCacheStats.NONE : SessionCacheStats.of(c);
    }

    /** The cache, started on first use; empty once closed. */
    Optional<SessionCache> cache() {
        SessionCache c = cache;
        if (c != null) {
            return Optional.of(c);
        }
        synchronized (this) {
            if (cache == null && !closed) {
                cache = new SessionCache(redis, SessionCache.MAX_ENTRIES);
            }
            return Optional.ofNullable(cache);
        }
    }

    /** This node changed {@code key}: drop its cached copy now rather than when Redis's invalidation arrives. */
    private void changed(String key) {
        SessionCache c = cache;
        if (c != null) {
            c.invalidate(key);
        }
    }

    /** Opens a pool of its own with the node's Redis settings. */
    public static RedisSessionStore open(RedisSettings settings) {
        return new RedisSessionStore(RedisConnections.open(settings.toBuilder().poolSize(POOL_SIZE).build()), true, true);
    }

    /** Every load runs the load-and-touch script, as before plain reads: the cost baseline for measurements. */
    static RedisSessionStore openScriptOnly(RedisSettings settings) {
        return new RedisSessionStore(RedisConnections.open(settings.toBuilder().poolSize(POOL_SIZE).build()), true,
                false);
    }

    /**
     * How stale the stored last access may get before a load writes it again: a tenth of the idle timeout, at most a
     * minute. A session therefore ends between {@code idle - touchInterval} and {@code idle} after its last request
     * (never later: the key's TTL is set from the stored last access).
     */
    public static Duration touchInterval(Timeouts timeouts) {
        Duration tenth = timeouts.idle().dividedBy(10);
        return tenth.compareTo(Duration.ofMinutes(1)) < 0 ? tenth : Duration.ofMinutes(1);
    }

    public static String key(String id) {
        return PREFIX + RedisKeys.hashTag(id);
    }

    /**
     * Looks the session up; touches it (last access, TTL) when it was last touched {@link #touchInterval} ago or more,
     * else it is a plain read.
     */
    public Loaded load(String id, Timeouts timeouts) {
        return load(id, timeouts, false);
    }

    /**
     * As {@link #load(String, Timeouts)}; with {@code clientCache} a plain read may be served from this node's
     * tracked copy (the timeouts are checked against it just the same).
     */
    public Loaded load(String id, Timeouts timeouts, boolean clientCache) {
        if (readFirst) {
            Optional<Loaded> read = readOnly(id, timeouts, clientCache ? cache() : Optional.empty());
            if (read.isPresent()) {
                return read.get();
            }
        }
        long sent = System.nanoTime();
        List<String> r;
        try {
            r = strings(batched(loads, key(id), timeouts.args()));
        } finally {
            changed(key(id)); // the script may have touched it
        }
        return switch (r.getFirst()) {
            case "ok" -> {
                clock.observe(Long.parseLong(r.get(1)), sent);
                Map<String, String> fields = new LinkedHashMap<>();
                for (int k = 4; k + 1 < r.size(); k += 2) {
                    fields.put(r.get(k), r.get(k + 1));
                }
                fields.remove("_a");
                yield new Loaded.Found(id, Long.parseLong(r.get(1)), Long.parseLong(r.get(2)),
                        Long.parseLong(r.get(3)), fields);
            }
            case "moved" -> new Loaded.Moved(r.get(1));
            default -> new Loaded.Missing(r.getFirst());
        };
    }

    /**
     * The session from a plain read, when it is live and was touched less than {@link #touchInterval} ago; empty when the load-and-touch script must run (it also says why a session is gone).
     */
    @SuppressWarnings("unchecked")
    private Optional<Loaded> readOnly(String id, Timeouts timeouts, Optional<SessionCache> cache) {
        OptionalLong estimate = clock.upperEstimate();
        if (estimate.isEmpty()) {
            return Optional.empty(); // no Redis time seen yet
        }
        String key = key(id);
        Map<String, String> h = cache.flatMap(c -> c.get(key)).orElse(null);
        if (h == null) {
            Optional<SessionCache.Stamp> stamp = cache.flatMap(c -> c.begin(key)); // before the read: the race guard
            h = (Map<String, String>) batched(reads, key, List.of());
            if (!h.isEmpty() && stamp.isPresent()) {
                cache.get().store(stamp.get(), key, h);
            }
        }
        if (h.isEmpty()) {
            return Optional.of(new Loaded.Missing("none")); // what the script would say: Redis already dropped it
        }
        String moved = h.get("_m");
        if (moved != null) {
            return Optional.of(new Loaded.Moved(moved));
        }
        long c, i, a;
        try {
            c = Long.parseLong(h.getOrDefault("_c", ""));
            i = Long.parseLong(h.getOrDefault("_i", ""));
            a = Long.parseLong(h.getOrDefault("_a", ""));
        } catch (NumberFormatException e) {
            return Optional.empty(); // missing or not ours: the script decides
        }
        long now = estimate.getAsLong();
        if (now - a >= touchInterval(timeouts).toMillis() || now - a >= timeouts.idle().toMillis()
                || now - c >= timeouts.absolute().toMillis() || now - i >= timeouts.rolling().toMillis()) {
            return Optional.empty(); // due for a touch, or past a timeout: the script touches or ends it
        }
        Map<String, String> fields = new LinkedHashMap<>(h);
        fields.keySet().removeAll(List.of("_c", "_i", "_a"));
        return Optional.of(new Loaded.Found(id, now, c, i, fields));
    }

    /**
     * Creates a new session with these attributes.
     *
     * @return the creation time (Redis clock, ms), or -1 when the id is taken (the caller draws another)
     */
    public long create(String id, Map<String, String> fields, Timeouts timeouts) {
        List<String> args = new ArrayList<>(timeouts.args());
        args.add("new");
        args.add("0");
        fields.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        return (Long) run(CREATE, key(id), args);
    }

    /** The result of a write: applied, or why not. */
    public enum WriteResult { OK, MISSING, FULL }

    /**
     * Sets and removes attributes of a live session, touching it. Follows a rotation (the old id's stub) to the new
     * id, so a write that raced with a rotation lands in the new session.
     */
    public WriteResult write(String id, Map<String, String> set, Collection<String> remove, int maxFields,
                             Timeouts timeouts) {
        String target = id;
        boolean redirected = false;
        for (int hop = 0; hop < 3; hop++) {
            List<String> args = new ArrayList<>(timeouts.args());
            args.add(Integer.toString(maxFields));
            args.add(redirected ? "1" : "0");
            args.add(Integer.toString(set.size()));
            set.forEach((k, v) -> {
                args.add(k);
                args.add(v);
            });
            args.addAll(remove);
            List<String> r = strings(run(WRITE, key(target), args));
            switch (r.getFirst()) {
                case "ok" -> {
                    return WriteResult.OK;
                }
                case "full" -> {
                    return WriteResult.FULL;
                }
                case "moved" -> {
                    target = r.get(1);
                    redirected = true;
                }
                default -> {
                    return WriteResult.MISSING;
                }
            }
        }
        return WriteResult.MISSING;
    }

    /**
     * Moves a session to a new id (keeping its attributes and creation time; the new id's rolling timeout starts
     * now). The old id is invalid at once when {@code grace} is zero, else it redirects to the new one for that long.
     *
     * @param extra attributes to set in the same step (e.g. the tokens of a login), winning over copied ones
     * @return false when the old session no longer exists
     */
    public boolean rotate(String oldId, String newId, Map<String, String> extra, Collection<String> drop,
                          Duration grace, Timeouts timeouts) {
        List<String> out = strings(run(MOVE_OUT, key(oldId), List.of(newId, Long.toString(grace.toMillis()))));
        if (!out.getFirst().equals("ok")) {
            return false;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int k = 1; k + 1 < out.size(); k += 2) {
            fields.put(out.get(k), out.get(k + 1));
        }
        String createdAt = fields.getOrDefault("_c", "0");
        fields.keySet().removeAll(List.of("_c", "_i", "_a", "_m"));
        fields.keySet().removeAll(drop);
        fields.putAll(extra);
        List<String> args = new ArrayList<>(timeouts.args());
        args.add("moved-in");
        args.add(createdAt);
        // extra first: HSETNX keeps the first value a field gets
        extra.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        fields.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        return (Long) run(CREATE, key(newId), args) > 0;
    }

    /** Deletes the session (logout); true when it existed. */
    public boolean delete(String id) {
        UnifiedJedis jedis = jedis();
        try {
            return jedis.del(key(id)) > 0;
        } catch (RuntimeException e) {
            throw new Unavailable("Redis DEL failed: " + e.getMessage(), e);
        } finally {
            changed(key(id));
        }
    }

    private UnifiedJedis jedis() {
        return redis.commands().orElseThrow(() -> new Unavailable("Redis is not reachable", null));
    }

    private Object batched(ScriptBatcher batcher, String key, List<String> args) {
        UnifiedJedis jedis = jedis();
        try {
            return batcher.run(jedis, key, args);
        } catch (Unavailable e) {
            throw e;
        } catch (RuntimeException e) {
            throw new Unavailable("Redis session command failed: " + e.getMessage(), e);
        }
    }

    private Object run(SessionScripts.Script script, String key, List<String> args) {
        UnifiedJedis jedis = jedis();
        try {
            try {
                return jedis.evalsha(script.sha(), List.of(key), args);
            } catch (JedisNoScriptException e) {
                return jedis.eval(script.text(), List.of(key), args); // loads it on that server for next time
            }
        } catch (RuntimeException e) {
            throw new Unavailable("Redis session command failed: " + e.getMessage(), e);
        } finally {
            changed(key); // every script changes its key (or may have)
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object reply) {
        List<String> out = new ArrayList<>();
        for (Object o : (List<Object>) reply) {
            out.add(o instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(o));
        }
        return out;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (cache != null) {
                cache.close();
            }
        }
        if (owned) {
            redis.close();
        }
    }
}
