package dev.loomgate.gateway.redis.saga;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import dev.loomgate.gateway.redis.RedisConnections;
import dev.loomgate.gateway.redis.RedisKeys;
import redis.clients.jedis.UnifiedJedis;

/**
 * The saga log's Redis side (docs/SAGAS.md, "The log"); it stores opaque documents, the saga package gives them
 * meaning. Per saga, three keys in one hash slot ({@code lg:saga:{id}:log|fence|lease}): a hash with the JSON
 * document and its state, a fencing counter bumped on every change of owner, and the lease ({@code token|node},
 * expiring). Every write is a Lua script that first compares the writer's token with the fence counter, so a node
 * whose saga was taken over cannot write any more, even when it wakes up late. Two index sorted sets without a tag
 * (single-key commands only) let the recovery loop and the admin API find sagas. Works on standalone, Sentinel and
 * Redis Cluster alike.
 */
public final class SagaLogStore {
    /** The writer's fencing token is no longer the saga's: another node owns it now. */
    public static final class FencedException extends RuntimeException {
        public FencedException(String id) {
            super("saga " + id + " is owned by another node now (fencing token outdated)");
        }
    }

    static final String INDEX = "lg:sagas:index";
    static final String RECENT = "lg:sagas:recent";
    /** Index score of a stuck saga: never due for recovery, so it is never retried in a loop. */
    static final double STUCK_SCORE = 9e15;
    public static final Duration RETENTION = Duration.ofHours(24);
    private static final int RECENT_KEPT = 1000;

    /** KEYS log fence lease; ARGV doc state node ttlMs. Returns the new fencing token, or 0 when the id exists. */
    private static final String CREATE = """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            local t = redis.call('INCR', KEYS[2])
            redis.call('SET', KEYS[3], t .. '|' .. ARGV[3], 'PX', ARGV[4])
            redis.call('HSET', KEYS[1], 'doc', ARGV[1], 'state', ARGV[2])
            return t""";
    /**
     * KEYS log fence lease; ARGV token doc state node ttlMs end retentionMs; end is 1 final (lease dropped, keys
     * expire), 2 stuck (lease dropped: an operator's retry may take it at once), 0 running. 1 written, -1 fenced.
     */
    private static final String WRITE = """
            if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
            redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'state', ARGV[3])
            if ARGV[6] == '1' then
              redis.call('DEL', KEYS[3])
              redis.call('PEXPIRE', KEYS[1], ARGV[7])
              redis.call('PEXPIRE', KEYS[2], ARGV[7])
            elseif ARGV[6] == '2' then
              redis.call('DEL', KEYS[3])
            else
              redis.call('SET', KEYS[3], ARGV[1] .. '|' .. ARGV[4], 'PX', ARGV[5])
            end
            return 1""";
    /** KEYS log fence lease; ARGV token node ttlMs. 1 renewed, 0 parked or final (no lease needed), -1 fenced. */
    private static final String RENEW = """
            if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
            local s = redis.call('HGET', KEYS[1], 'state')
            if s == 'STUCK' or s == 'COMPLETED' or s == 'COMPENSATED' or s == 'ABORTED' then return 0 end
            redis.call('SET', KEYS[3], ARGV[1] .. '|' .. ARGV[2], 'PX', ARGV[3])
            return 1""";
    /**
     * KEYS log fence lease; ARGV node ttlMs force finalStates... The new token; 0 while a lease runs; -2 no such saga;
     * -3 final (or stuck, unless forced by an operator).
     */
    private static final String ACQUIRE = """
            if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
            local s = redis.call('HGET', KEYS[1], 'state')
            if not s then return -2 end
            if s == 'COMPLETED' or s == 'COMPENSATED' or s == 'ABORTED' then return -3 end
            if s == 'STUCK' and ARGV[3] ~= '1' then return -3 end
            local t = redis.call('INCR', KEYS[2])
            redis.call('SET', KEYS[3], t .. '|' .. ARGV[1], 'PX', ARGV[2])
            return t""";

    private final RedisConnections redis;

    public SagaLogStore(RedisConnections redis) {
        this.redis = redis;
    }

    /** The saga's three keys, sharing the hash tag of its id. */
    public static List<String> keys(String id) {
        String tag = RedisKeys.hashTag(id);
        return List.of("lg:saga:" + tag + ":log", "lg:saga:" + tag + ":fence", "lg:saga:" + tag + ":lease");
    }

    private UnifiedJedis jedis() {
        return redis.commands().orElseThrow(() -> new IllegalStateException("Redis is unreachable"));
    }

    /** Writes a new saga's first document and takes its lease; empty when the id is taken. */
    public OptionalLong create(String id, String doc, String state, String node, Duration lease) {
        // index first: a saga in the log but not in the index would never be recovered; the reverse is cleaned up
        jedis().zadd(INDEX, System.currentTimeMillis() + lease.toMillis(), id);
        long t = (Long) jedis().eval(CREATE, keys(id), List.of(doc, state, node, Long.toString(lease.toMillis())));
        return t == 0 ? OptionalLong.empty() : OptionalLong.of(t);
    }

    /**
     * Writes the document if {@code token} is still the saga's fencing token, renewing the lease; a final document
     * drops the lease and expires after {@link #RETENTION}; a stuck one leaves the recovery index's due range.
     *
     * @throws FencedException when another node has taken the saga over
     */
    public void write(String id, long token, String doc, String state, boolean isFinal, boolean stuck, String node,
                      Duration lease) {
        long res = (Long) jedis().eval(WRITE, keys(id), List.of(Long.toString(token), doc, state, node,
                Long.toString(lease.toMillis()), isFinal ? "1" : stuck ? "2" : "0", Long.toString(RETENTION.toMillis())));
        if (res < 0) {
            throw new FencedException(id);
        }
        long now = System.currentTimeMillis();
        if (isFinal) {
            jedis().zrem(INDEX, id);
            jedis().zadd(RECENT, now, id);
            jedis().zremrangeByRank(RECENT, 0, -RECENT_KEPT - 1);
        } else {
            jedis().zadd(INDEX, stuck ? STUCK_SCORE : now + lease.toMillis(), id);
        }
    }

    /** @throws FencedException when another node has taken the saga over */
    public void renew(String id, long token, String node, Duration lease) {
        long res = (Long) jedis().eval(RENEW, keys(id), List.of(Long.toString(token), node,
                Long.toString(lease.toMillis())));
        if (res < 0) {
            throw new FencedException(id);
        }
        if (res == 0) {
            return;
        }
        jedis().zadd(INDEX, System.currentTimeMillis() + lease.toMillis(), id);
    }

    /** Result of {@link #acquire}: the token when positive, else why not. */
    public record Acquired(long token, String refusal) {
        public boolean ok() {
            return token > 0;
        }

        public boolean isFinal() {
            return token == -3;
        }
    }

    /** Takes the saga over when no lease runs; {@code force} also takes a stuck saga (an operator's retry). */
    public Acquired acquire(String id, String node, Duration lease, boolean force) {
        long t = (Long) jedis().eval(ACQUIRE, keys(id), List.of(node, Long.toString(lease.toMillis()), force ? "1" : "0"));
        if (t > 0) {
            return new Acquired(t, "");
        }
        return new Acquired(t, t == 0 ? "another node holds the lease" : t == -2 ? "no such saga" : "saga is final");
    }

    public Optional<String> read(String id) {
        return Optional.ofNullable(jedis().hget(keys(id).get(0), "doc"));
    }

    /** Who holds the lease now ({@code token|node}), if anyone. */
    public Optional<String> leaseHolder(String id) {
        return Optional.ofNullable(jedis().get(keys(id).get(2)));
    }

    /** Ids whose lease should have been renewed by now (candidates for recovery), oldest first. */
    public List<String> due(long nowMs, int max) {
        return new ArrayList<>(jedis().zrangeByScore(INDEX, 0, nowMs, 0, max));
    }

    public List<String> stuck(int max) {
        return new ArrayList<>(jedis().zrangeByScore(INDEX, STUCK_SCORE, STUCK_SCORE, 0, max));
    }

    public long stuckCount() {
        return jedis().zcount(INDEX, STUCK_SCORE, STUCK_SCORE);
    }

    /** Unfinished sagas (running and stuck), then recently finished ones, newest first. */
    public List<String> listed(int max) {
        List<String> out = new ArrayList<>(jedis().zrange(INDEX, 0, max - 1));
        if (out.size() < max) {
            out.addAll(jedis().zrevrange(RECENT, 0, max - out.size() - 1));
        }
        return out;
    }

    /** Forgets an index entry whose log never got written (its creator died between the two commands) or is final. */
    public void dropIndexEntry(String id) {
        jedis().zrem(INDEX, id);
    }
}
