package dev.loomgate.gateway.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * Server-side sessions: one Redis hash per session, {@code lg:session:{<id>}}. Each operation is one Lua script on
 * that one key (so it runs on standalone, Sentinel and Cluster alike) and changes only the fields it names: two
 * requests of one session writing different attributes never overwrite each other (no whole-blob rewrite).
 *
 * <p>Bookkeeping fields: {@code _c} created (ms), {@code _i} this id issued (ms), {@code _a} last access (ms),
 * {@code _m} "moved to" (a rotated-away id's short-lived stub). Times are the Redis server's clock ({@code TIME}),
 * so nodes with skewed clocks agree. The key's TTL is derived from the timeouts on every touch: the least of the
 * idle timeout, what is left of the absolute timeout and what is left of the id's rolling timeout.
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

    private static final String NOW = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local idle, rolling, absolute = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
            """;
    private static final String CHECK = """
            local function check(c, i, a)
              if now - a >= idle then return 'idle' end
              if now - c >= absolute then return 'absolute' end
              if now - i >= rolling then return 'rolling' end
              return nil
            end
            local function ttl(c, i)
              return math.max(1, math.min(idle, absolute - (now - c), rolling - (now - i)))
            end
            """;
    /** ARGV: idle, rolling, absolute. Returns {ok, now, _c, _i, k, v, ...} | {moved, id} | {none|idle|...}. */
    private static final Script LOAD = new Script(NOW + CHECK + """
            local h = redis.call('HGETALL', KEYS[1])
            if #h == 0 then return {'none'} end
            local m = {}
            for k = 1, #h, 2 do m[h[k]] = h[k + 1] end
            if m['_m'] then return {'moved', m['_m']} end
            local c, i, a = tonumber(m['_c']), tonumber(m['_i']), tonumber(m['_a'])
            if not c or not i or not a then return {'none'} end
            local why = check(c, i, a)
            if why then redis.call('DEL', KEYS[1]) return {why} end
            redis.call('HSET', KEYS[1], '_a', now)
            redis.call('PEXPIRE', KEYS[1], ttl(c, i))
            local out = {'ok', tostring(now), m['_c'], m['_i']}
            for k = 1, #h, 2 do
              if string.sub(h[k], 1, 1) ~= '_' or (h[k] ~= '_c' and h[k] ~= '_i' and h[k] ~= '_a') then
                out[#out + 1] = h[k]
                out[#out + 1] = h[k + 1]
              end
            end
            return out
            """);
    /**
     * ARGV: idle, rolling, absolute, mode (new|moved-in), created-at (moved-in), k, v, ... Creates the session;
     * moved-in keeps the old creation time and never overwrites a field a redirected write already put there.
     */
    private static final Script CREATE = new Script(NOW + CHECK + """
            local key = KEYS[1]
            if ARGV[4] == 'new' and redis.call('EXISTS', key) == 1 then return -1 end
            local c = now
            if ARGV[4] ~= 'new' then c = tonumber(ARGV[5]) end
            for k = 6, #ARGV, 2 do redis.call('HSETNX', key, ARGV[k], ARGV[k + 1]) end
            redis.call('HSET', key, '_c', c, '_i', now, '_a', now)
            if now - c >= absolute then redis.call('DEL', key) return -2 end
            redis.call('PEXPIRE', key, ttl(c, now))
            return now
            """);
    /**
     * ARGV: idle, rolling, absolute, max-fields, redirected (0|1), set-count, k, v, ..., removed names.
     * Returns {ok} | {moved, id} | {none|idle|...} | {full}.
     */
    private static final Script WRITE = new Script(NOW + CHECK + """
            local key = KEYS[1]
            local m = redis.call('HMGET', key, '_c', '_i', '_a', '_m')
            if m[4] then return {'moved', m[4]} end
            local redirected = ARGV[5] == '1'
            if not m[1] and not redirected then return {'none'} end
            if m[1] then
              local why = check(tonumber(m[1]), tonumber(m[2]), tonumber(m[3]))
              if why then redis.call('DEL', key) return {why} end
            end
            local n = tonumber(ARGV[6])
            local last = 6 + 2 * n
            for k = 7, last, 2 do redis.call('HSET', key, ARGV[k], ARGV[k + 1]) end
            for k = last + 1, #ARGV do redis.call('HDEL', key, ARGV[k]) end
            if redis.call('HLEN', key) > tonumber(ARGV[4]) then
              for k = 7, last, 2 do redis.call('HDEL', key, ARGV[k]) end
              return {'full'}
            end
            if m[1] then
              redis.call('HSET', key, '_a', now)
              redis.call('PEXPIRE', key, ttl(tonumber(m[1]), tonumber(m[2])))
            else
              redis.call('PEXPIRE', key, 10000)
            end
            return {'ok'}
            """);
    /**
     * ARGV: new id, grace ms. Takes every field out of the old key atomically; leaves a {@code _m} stub for the
     * grace (none when 0). Returns {ok, k, v, ...} | {none}.
     */
    private static final Script MOVE_OUT = new Script("""
            local h = redis.call('HGETALL', KEYS[1])
            if #h == 0 then return {'none'} end
            local m = {}
            for k = 1, #h, 2 do m[h[k]] = h[k + 1] end
            if m['_m'] or not m['_c'] then return {'none'} end
            redis.call('DEL', KEYS[1])
            if tonumber(ARGV[2]) > 0 then
              redis.call('HSET', KEYS[1], '_m', ARGV[1])
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            local out = {'ok'}
            for k = 1, #h do out[#out + 1] = h[k] end
            return out
            """);

    private final RedisConnections redis;
    private final boolean owned;
    /** Loads of concurrent requests share round trips (one pipeline per round trip). */
    private final ScriptBatcher loads = new ScriptBatcher(LOAD.sha(), (key, args) -> run(LOAD, key, args));

    private RedisSessionStore(RedisConnections redis, boolean owned) {
        this.redis = redis;
        this.owned = owned;
    }

    /** Opens a pool of its own with the node's Redis settings. */
    public static RedisSessionStore open(RedisSettings settings) {
        return new RedisSessionStore(RedisConnections.open(settings.toBuilder().poolSize(POOL_SIZE).build()), true);
    }

    public static String key(String id) {
        return PREFIX + RedisKeys.hashTag(id);
    }

    /** Looks the session up and, when it is live, touches it (last access, TTL). */
    public Loaded load(String id, Timeouts timeouts) {
        List<String> r = strings(batched(loads, key(id), timeouts.args()));
        return switch (r.getFirst()) {
            case "ok" -> {
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

    private Object run(Script script, String key, List<String> args) {
        UnifiedJedis jedis = jedis();
        try {
            try {
                return jedis.evalsha(script.sha(), List.of(key), args);
            } catch (JedisNoScriptException e) {
                return jedis.eval(script.text(), List.of(key), args); // loads it on that server for next time
            }
        } catch (RuntimeException e) {
            throw new Unavailable("Redis session command failed: " + e.getMessage(), e);
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

    private record Script(String text, String sha) {
        Script(String text) {
            this(text, sha1(text));
        }

        private static String sha1(String text) {
            try {
                return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                        .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() {
        if (owned) {
            redis.close();
        }
    }
}
