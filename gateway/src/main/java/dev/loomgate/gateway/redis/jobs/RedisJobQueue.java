package dev.loomgate.gateway.redis.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import dev.loomgate.gateway.async.JobQueue;
import dev.loomgate.gateway.async.QueueUnavailableException;
import dev.loomgate.gateway.redis.RedisConnections;
import dev.loomgate.gateway.redis.RedisKeys;
import dev.loomgate.gateway.redis.RedisSettings;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XClaimParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * {@link JobQueue} on Redis Streams: per route one stream (the queue, consumer group {@value #GROUP}), a sorted set
 * of jobs waiting for their retry time, a dead-letter stream, and one hash per job. Every key of a route carries the
 * route's hash tag ({@code lg:async:{route}:...}), so each Lua script below touches one slot and runs unchanged on
 * standalone, Sentinel and Cluster. A finished delivery is acknowledged AND deleted from the stream, so the
 * stream's length is the number of unfinished jobs (the back-pressure bound).
 */
public final class RedisJobQueue implements JobQueue {
    static final String GROUP = "loomgate-workers";
    private static final String IDEM_FIELD = "idem-scope";

    /** Idempotency check, bound check, store and queue: one atomic step. */
    private static final String ENQUEUE = """
            if ARGV[4] == '1' then
              local existing = redis.call('GET', KEYS[4])
              if existing then return {'dup', existing} end
            end
            local depth = redis.call('XLEN', KEYS[1]) + redis.call('ZCARD', KEYS[3])
            if depth >= tonumber(ARGV[2]) then return {'full', tostring(depth)} end
            redis.call('HSET', KEYS[2], unpack(ARGV, 5))
            redis.call('XADD', KEYS[1], '*', 'job', ARGV[1])
            if ARGV[4] == '1' then redis.call('SET', KEYS[4], ARGV[1]) end
            return {'ok', ARGV[1]}
            """;
    private static final String START = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return false end
            local st = redis.call('HGET', KEYS[1], 'state')
            if st == 'succeeded' or st == 'failed' or st == 'dead' then return false end
            redis.call('HINCRBY', KEYS[1], 'attempts', 1)
            redis.call('HSET', KEYS[1], 'state', 'running', unpack(ARGV))
            return redis.call('HGETALL', KEYS[1])
            """;
    /** KEYS stream, job, idem; ARGV group, entry, ttl ms, has-idem, fields... */
    private static final String FINISH = """
            redis.call('HSET', KEYS[2], unpack(ARGV, 5))
            redis.call('PEXPIRE', KEYS[2], ARGV[3])
            if ARGV[4] == '1' then redis.call('PEXPIRE', KEYS[3], ARGV[3]) end
            redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
            redis.call('XDEL', KEYS[1], ARGV[2])
            return 1
            """;
    /** KEYS stream, job, delayed; ARGV group, entry, due ms, job id, fields... */
    private static final String RETRY_LATER = """
            redis.call('HSET', KEYS[2], 'state', 'queued', unpack(ARGV, 5))
            redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
            redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
            redis.call('XDEL', KEYS[1], ARGV[2])
            return 1
            """;
    /** KEYS stream, job, dead; ARGV group, entry, job id, fields... */
    private static final String DEAD_LETTER = """
            redis.call('HSET', KEYS[2], 'state', 'dead', unpack(ARGV, 4))
            local id = redis.call('XADD', KEYS[3], '*', 'job', ARGV[3])
            redis.call('HSET', KEYS[2], 'dead-entry', id)
            redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
            redis.call('XDEL', KEYS[1], ARGV[2])
            return 1
            """;
    /** KEYS delayed, stream; ARGV now ms, max. */
    private static final String PROMOTE = """
            local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
            for _, id in ipairs(ids) do
              redis.call('XADD', KEYS[2], '*', 'job', id)
              redis.call('ZREM', KEYS[1], id)
            end
            return #ids
            """;
    /** KEYS dead, stream, job; ARGV job id, now ms. */
    private static final String REPLAY = """
            if redis.call('HGET', KEYS[3], 'state') ~= 'dead' then return 0 end
            local entry = redis.call('HGET', KEYS[3], 'dead-entry')
            if entry then redis.call('XDEL', KEYS[1], entry) end
            redis.call('HSET', KEYS[3], 'state', 'queued', 'attempts', '0', 'updated', ARGV[2])
            redis.call('HDEL', KEYS[3], 'dead-entry')
            redis.call('XADD', KEYS[2], '*', 'job', ARGV[1])
            return 1
            """;
    /** KEYS dead, job; ARGV dead entry id. */
    private static final String PURGE_ONE = """
            if redis.call('HGET', KEYS[2], 'state') == 'dead' then redis.call('DEL', KEYS[2]) end
            redis.call('XDEL', KEYS[1], ARGV[1])
            return 1
            """;

    private final RedisConnections redis;
    private final Set<String> groupsMade = ConcurrentHashMap.newKeySet();

    public RedisJobQueue(RedisConnections redis) {
        this.redis = redis;
    }

    /** Its own pool: blocking reads and WAIT need a longer read timeout than the rate limiter's. */
    public static RedisJobQueue open(RedisSettings settings, int poolSize) {
        return new RedisJobQueue(RedisConnections.open(settings.toBuilder().poolSize(poolSize)
                .readTimeout(Duration.ofSeconds(3)).build()));
    }

    static String prefix(String routeId) {
        return "lg:async:" + RedisKeys.hashTag(routeId) + ":";
    }

    static String stream(String routeId) {
        return prefix(routeId) + "q";
    }

    static String jobKey(String routeId, String jobId) {
        return prefix(routeId) + "job:" + jobId;
    }

    private static String delayed(String routeId) {
        return prefix(routeId) + "delayed";
    }

    static String deadStream(String routeId) {
        return prefix(routeId) + "dead";
    }

    private static String idem(String routeId, String scopeHash) {
        return prefix(routeId) + "idem:" + scopeHash;
    }

    private <T> T run(Function<UnifiedJedis, T> command) {
        UnifiedJedis j = redis.commands().orElseThrow(() -> new QueueUnavailableException("Redis is unreachable"));
        try {
            return command.apply(j);
        } catch (JedisException e) {
            throw new QueueUnavailableException("Redis: " + e.getMessage(), e);
        }
    }

    private static List<String> args(Map<String, String> fields, String... head) {
        List<String> out = new ArrayList<>(head.length + fields.size() * 2);
        out.addAll(List.of(head));
        fields.forEach((k, v) -> {
            out.add(k);
            out.add(v);
        });
        return out;
    }

    @Override
    public Enqueued enqueue(String routeId, String jobId, Map<String, String> fields, Optional<String> scope,
                            long maxLength, int replicas, Duration replicaTimeout) {
        String scopeHash = scope.map(RedisKeys::sha256Hex).orElse("");
        Map<String, String> stored = new HashMap<>(fields);
        if (scope.isPresent()) {
            stored.put(IDEM_FIELD, scopeHash);
        }
        List<String> keys = List.of(stream(routeId), jobKey(routeId, jobId), delayed(routeId),
                idem(routeId, scopeHash.isEmpty() ? "-" : scopeHash));
        List<String> argv = args(stored, jobId, Long.toString(maxLength), "0", scope.isPresent() ? "1" : "0");
        return run(j -> {
            List<?> reply;
            int confirmed = 0;
            if (replicas > 0) {
                // WAIT counts the replicas that have this connection's writes: same connection, so one pipeline
                try (AbstractPipeline p = (AbstractPipeline) j.pipelined()) {
                    Response<Object> r = p.eval(ENQUEUE, keys, argv);
                    Response<Long> w = p.waitReplicas(keys.get(0), replicas, replicaTimeout.toMillis());
                    p.sync();
                    reply = (List<?>) r.get();
                    confirmed = w.get().intValue();
                }
            } else {
                reply = (List<?>) j.eval(ENQUEUE, keys, argv);
            }
            String kind = String.valueOf(reply.get(0));
            String value = String.valueOf(reply.get(1));
            return switch (kind) {
                case "dup" -> new Enqueued.Duplicate(value);
                case "full" -> new Enqueued.Full(Long.parseLong(value));
                default -> new Enqueued.Stored(value, confirmed);
            };
        });
    }

    private void ensureGroup(UnifiedJedis j, String routeId) {
        if (groupsMade.contains(routeId)) {
            return;
        }
        try {
            j.xgroupCreate(stream(routeId), GROUP, new StreamEntryID(0, 0), true);
        } catch (JedisDataException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("BUSYGROUP")) {
                throw e;
            }
        }
        groupsMade.add(routeId);
    }

    /** A stream or group lost (a failover to a replica that never saw it): make the group again next time. */
    private <T> T withGroup(String routeId, Function<UnifiedJedis, T> command) {
        return run(j -> {
            ensureGroup(j, routeId);
            try {
                return command.apply(j);
            } catch (JedisDataException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("NOGROUP")) {
                    groupsMade.remove(routeId);
                }
                throw e;
            }
        });
    }

    @Override
    public List<Delivery> take(String routeId, String worker, int max, Duration block) {
        return withGroup(routeId, j -> {
            var read = j.xreadGroup(GROUP, worker, XReadGroupParams.xReadGroupParams().count(max)
                    .block((int) block.toMillis()), Map.of(stream(routeId), StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
            List<Delivery> out = new ArrayList<>();
            if (read != null) {
                for (var s : read) {
                    for (StreamEntry e : s.getValue()) {
                        out.add(delivery(j, routeId, e));
                    }
                }
            }
            out.removeIf(d -> d == null);
            return out;
        });
    }

    /** An entry whose fields are gone (deleted while pending) is acknowledged and skipped (null). */
    private static Delivery delivery(UnifiedJedis j, String routeId, StreamEntry e) {
        String job = e.getFields() == null ? null : e.getFields().get("job");
        if (job == null) {
            j.xack(stream(routeId), GROUP, e.getID());
            return null;
        }
        return new Delivery(routeId, e.getID().toString(), job);
    }

    @Override
    public List<Delivery> reclaim(String routeId, String worker, Duration minIdle, int max) {
        return withGroup(routeId, j -> {
            var claimed = j.xautoclaim(stream(routeId), GROUP, worker, minIdle.toMillis(), new StreamEntryID(0, 0),
                    XAutoClaimParams.xAutoClaimParams().count(max));
            List<Delivery> out = new ArrayList<>();
            for (StreamEntry e : claimed.getValue()) {
                Delivery d = e == null ? null : delivery(j, routeId, e);
                if (d != null) {
                    out.add(d);
                }
            }
            return out;
        });
    }

    @Override
    public void heartbeat(Delivery d, String worker) {
        run(j -> j.xclaimJustId(stream(d.routeId()), GROUP, worker, 0, XClaimParams.xClaimParams(),
                new StreamEntryID(d.entryId())));
    }

    @Override
    public Optional<Map<String, String>> start(Delivery d, Map<String, String> fields) {
        return run(j -> {
            Object reply = j.eval(START, List.of(jobKey(d.routeId(), d.jobId())), args(fields));
            if (!(reply instanceof List<?> flat)) {
                j.xack(stream(d.routeId()), GROUP, new StreamEntryID(d.entryId()));
                j.xdel(stream(d.routeId()), new StreamEntryID(d.entryId()));
                return Optional.empty();
            }
            Map<String, String> job = new HashMap<>();
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                job.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
            }
            return Optional.of(job);
        });
    }

    @Override
    public void finish(Delivery d, Map<String, String> fields, Duration ttl) {
        run(j -> {
            String scope = j.hget(jobKey(d.routeId(), d.jobId()), IDEM_FIELD);
            List<String> keys = List.of(stream(d.routeId()), jobKey(d.routeId(), d.jobId()),
                    idem(d.routeId(), scope == null ? "-" : scope));
            return j.eval(FINISH, keys, args(fields, GROUP, d.entryId(), Long.toString(ttl.toMillis()),
                    scope == null ? "0" : "1"));
        });
    }

    @Override
    public void retryLater(Delivery d, Map<String, String> fields, long dueMillis) {
        run(j -> j.eval(RETRY_LATER, List.of(stream(d.routeId()), jobKey(d.routeId(), d.jobId()), delayed(d.routeId())),
                args(fields, GROUP, d.entryId(), Long.toString(dueMillis), d.jobId())));
    }

    @Override
    public void deadLetter(Delivery d, Map<String, String> fields) {
        run(j -> j.eval(DEAD_LETTER, List.of(stream(d.routeId()), jobKey(d.routeId(), d.jobId()),
                deadStream(d.routeId())), args(fields, GROUP, d.entryId(), d.jobId())));
    }

    @Override
    public int promoteDue(String routeId, long nowMillis, int max) {
        return run(j -> ((Long) j.eval(PROMOTE, List.of(delayed(routeId), stream(routeId)),
                List.of(Long.toString(nowMillis), Integer.toString(max)))).intValue());
    }

    @Override
    public Optional<Map<String, String>> find(String routeId, String jobId) {
        Map<String, String> m = run(j -> j.hgetAll(jobKey(routeId, jobId)));
        return m == null || m.isEmpty() ? Optional.empty() : Optional.of(m);
    }

    @Override
    public List<String> dead(String routeId, int max) {
        return run(j -> j.xrange(deadStream(routeId), "-", "+", max).stream()
                .map(e -> e.getFields().get("job")).filter(s -> s != null).toList());
    }

    @Override
    public boolean replay(String routeId, String jobId) {
        return run(j -> ((Long) j.eval(REPLAY, List.of(deadStream(routeId), stream(routeId), jobKey(routeId, jobId)),
                List.of(jobId, Long.toString(System.currentTimeMillis())))) == 1L);
    }

    @Override
    public long purge(String routeId) {
        return run(j -> {
            long n = 0;
            for (int page = 0; page < 10_000; page++) {
                List<StreamEntry> entries = j.xrange(deadStream(routeId), "-", "+", 500);
                if (entries.isEmpty()) {
                    break;
                }
                for (StreamEntry e : entries) {
                    String job = e.getFields() == null ? null : e.getFields().get("job");
                    j.eval(PURGE_ONE, List.of(deadStream(routeId), jobKey(routeId, job == null ? "-" : job)),
                            List.of(e.getID().toString()));
                    n++;
                }
            }
            return n;
        });
    }

    @Override
    public Depth depth(String routeId) {
        return run(j -> {
            long length = j.xlen(stream(routeId));
            long delayedCount = j.zcard(delayed(routeId));
            long dead = j.xlen(deadStream(routeId));
            List<StreamEntry> head = j.xrange(stream(routeId), "-", "+", 1);
            Optional<Duration> oldest = head.isEmpty() ? Optional.empty() : Optional.of(Duration.ofMillis(
                    Math.max(0, System.currentTimeMillis() - head.getFirst().getID().getTime())));
            return new Depth(length, delayedCount, dead, oldest);
        });
    }

    @Override
    public void close() {
        redis.close();
    }
}
