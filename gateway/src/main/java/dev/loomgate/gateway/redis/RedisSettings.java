package dev.loomgate.gateway.redis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How to reach Redis. Build in code ({@link #standalone}, {@link #sentinel}, {@link #builder}) or parse
 * from config with {@link #fromMap}:
 * <pre>
 * redis:
 *   mode: standalone                 # optional: standalone | sentinel | cluster; must match the block given
 *   address: 127.0.0.1:6379          # standalone, or instead:
 *   cluster:
 *     addresses: [ "10.0.0.1:7000", "10.0.0.2:7000" ]   # any reachable nodes; the slot map is learnt from them
 *   # or instead:
 *   sentinel:
 *     master-name: loomgate
 *     addresses: [ "10.0.0.1:26379", "10.0.0.2:26379", "10.0.0.3:26379" ]
 *     tls: true                      # optional; default: the same as redis.tls (Sentinel's tls-port)
 *   user: gateway                    # optional (ACL user)
 *   password: secret                 # optional; for the data nodes (sentinels are reached without AUTH)
 *   tls: false                       # or true (JVM trust store), or a map: see {@link RedisTls}
 *   database: 0
 *   connect-timeout: 100ms
 *   read-timeout: 50ms
 *   pool-size: 64
 *   pool-wait: 20ms
 * </pre>
 *
 * <p>Timeout defaults: Redis answers a rate-limit script in ~0.1 ms on a LAN, so a 50 ms read timeout is hundreds of
 * times the normal cost yet short enough that a hung Redis costs only the few requests in flight before the rate
 * limiter's circuit breaker opens. Connect gets 100 ms because a dead host without RST otherwise blocks a connect for
 * the kernel's SYN retry time; loopback or LAN connects take well under 1 ms.
 *
 * <p>Pool size: request handlers are virtual threads, so concurrency is not bounded by a thread pool and the pool is
 * the bound on simultaneous Redis calls. 64 connections carry far more than one node's load (a call holds a
 * connection for ~0.1 ms: ~600k calls/s in theory), and Bucket4j batching folds concurrent calls on a hot key into one.
 * {@code pool-wait} caps how long a request waits for a free connection before that counts as a Redis failure.
 */
public record RedisSettings(
        RedisTopology topology,
        Optional<String> user,
        Optional<String> password,
        RedisTls tls,
        boolean sentinelTls,
        int database,
        Duration connectTimeout,
        Duration readTimeout,
        int poolSize,
        Duration poolWait) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofMillis(100);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofMillis(50);
    public static final int DEFAULT_POOL_SIZE = 64;
    public static final boolean DEFAULT_TLS = false;
    public static final int DEFAULT_DATABASE = 0;
    public static final Duration DEFAULT_POOL_WAIT = Duration.ofMillis(20);

    /** Keys of the {@code redis:} block. */
    public static final List<String> KEYS = List.of("mode", "address", "sentinel", "cluster", "user", "password", "tls",
            "database",
            "connect-timeout", "read-timeout", "pool-size", "pool-wait");
    /** Keys of {@code redis.sentinel}. */
    public static final List<String> SENTINEL_KEYS = List.of("master-name", "addresses", "tls");
    /** Keys of {@code redis.cluster}. */
    public static final List<String> CLUSTER_KEYS = List.of("addresses");
    /** Values of {@code redis.mode}. */
    public static final List<String> MODES = List.of("standalone", "sentinel", "cluster");

    public RedisSettings {
        if (topology == null) {
            throw new IllegalArgumentException("address: either address or sentinel is required");
        }
        user = user == null ? Optional.empty() : user;
        password = password == null ? Optional.empty() : password;
        tls = tls == null ? RedisTls.OFF : tls;
        if (database < 0) {
            throw new IllegalArgumentException("database: must be >= 0, got " + database);
        }
        requirePositive(connectTimeout, "connect-timeout");
        requirePositive(readTimeout, "read-timeout");
        requirePositive(poolWait, "pool-wait");
        if (poolSize < 1) {
            throw new IllegalArgumentException("pool-size: must be >= 1, got " + poolSize);
        }
        if (connectTimeout.toMillis() > Integer.MAX_VALUE || readTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("read-timeout: too large");
        }
    }

    /** A standalone server with default timeouts and pool. */
    public static RedisSettings standalone(String host, int port) {
        return builder(new RedisTopology.Standalone(new RedisAddress(host, port))).build();
    }

    /** A Sentinel-managed master with default timeouts and pool. */
    public static RedisSettings sentinel(String masterName, List<RedisAddress> sentinels) {
        return builder(new RedisTopology.Sentinel(masterName, sentinels)).build();
    }

    /** A Redis Cluster reached through any of {@code seeds}, no credentials, no TLS, default timeouts and pool. */
    public static RedisSettings cluster(List<RedisAddress> seeds) {
        return builder(new RedisTopology.Cluster(seeds)).build();
    }

    /** A builder for this topology with no credentials, no TLS, database 0, default timeouts and pool. */
    public static Builder builder(RedisTopology topology) {
        return new Builder(topology);
    }

    public Builder toBuilder() {
        Builder b = new Builder(topology).tls(tls).sentinelTls(sentinelTls).database(database).connectTimeout(connectTimeout)
                .readTimeout(readTimeout).poolSize(poolSize).poolWait(poolWait);
        b.user = user;
        b.password = password;
        return b;
    }

    /** Builds {@link RedisSettings}. */
    public static final class Builder {
        private final RedisTopology topology;
        private Optional<String> user = Optional.empty();
        private Optional<String> password = Optional.empty();
        private RedisTls tls = RedisTls.OFF;
        private Optional<Boolean> sentinelTls = Optional.empty();
        private int database = DEFAULT_DATABASE;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private int poolSize = DEFAULT_POOL_SIZE;
        private Duration poolWait = DEFAULT_POOL_WAIT;

        private Builder(RedisTopology topology) {
            this.topology = topology;
        }

        /** ACL user (AUTH user password). */
        public Builder user(String v) {
            user = Optional.of(v);
            return this;
        }

        /** Password for the data nodes (sentinels are reached without AUTH). */
        public Builder password(String v) {
            password = Optional.of(v);
            return this;
        }

        /** {@code true}: TLS trusting the JVM's default CAs. */
        public Builder tls(boolean v) {
            tls = v ? RedisTls.JVM_DEFAULT : RedisTls.OFF;
            return this;
        }

        public Builder tls(RedisTls v) {
            tls = v;
            return this;
        }

        /** Whether the sentinels are reached over TLS (with the same trust); default: as the data nodes. */
        public Builder sentinelTls(boolean v) {
            sentinelTls = Optional.of(v);
            return this;
        }

        public Builder database(int v) {
            database = v;
            return this;
        }

        public Builder connectTimeout(Duration v) {
            connectTimeout = v;
            return this;
        }

        public Builder readTimeout(Duration v) {
            readTimeout = v;
            return this;
        }

        public Builder poolSize(int v) {
            poolSize = v;
            return this;
        }

        public Builder poolWait(Duration v) {
            poolWait = v;
            return this;
        }

        public RedisSettings build() {
            return new RedisSettings(topology, user, password, tls, sentinelTls.orElse(tls.enabled()), database,
                    connectTimeout, readTimeout, poolSize,
                    poolWait);
        }
    }

    /**
     * Parses the {@code redis} config section. Errors are {@link IllegalArgumentException}s with
     * {@code "redis.field: reason"} text.
     */
    public static RedisSettings fromMap(Map<String, ?> map) {
        return fromMap(map, Path.of(""));
    }

    /** As {@link #fromMap(Map)}; relative TLS file paths resolve against {@code baseDir}. */
    public static RedisSettings fromMap(Map<String, ?> map, Path baseDir) {
        String p = "redis.";
        Optional<Boolean> sentinelTls = Optional.empty();
        TreeValues.rejectUnknownKeys(map, p, KEYS);
        Optional<String> mode = TreeValues.string(map, "mode", p + "mode");
        if (mode.isPresent() && !MODES.contains(mode.get())) {
            throw TreeValues.error(p + "mode", "must be one of " + MODES + ", got '" + mode.get() + "'");
        }
        Optional<String> address = TreeValues.string(map, "address", p + "address");
        Optional<Map<String, Object>> sentinel = TreeValues.map(map, "sentinel", p + "sentinel");
        Optional<Map<String, Object>> cluster = TreeValues.map(map, "cluster", p + "cluster");
        int blocks = (address.isPresent() ? 1 : 0) + (sentinel.isPresent() ? 1 : 0) + (cluster.isPresent() ? 1 : 0);
        if (blocks > 1) {
            throw TreeValues.error(p + "address", "give one of address (standalone), sentinel or cluster, not several");
        }
        RedisTopology topology;
        if (address.isPresent()) {
            topology = new RedisTopology.Standalone(RedisAddress.parse(address.get(), p + "address"));
        } else if (sentinel.isPresent()) {
            Map<String, Object> s = sentinel.get();
            TreeValues.rejectUnknownKeys(s, p + "sentinel.", SENTINEL_KEYS);
            String masterName = TreeValues.string(s, "master-name", p + "sentinel.master-name")
                    .orElseThrow(() -> TreeValues.error(p + "sentinel.master-name", "required when sentinel is used"));
            topology = new RedisTopology.Sentinel(masterName, addresses(s, p + "sentinel.addresses", "sentinel"));
            sentinelTls = TreeValues.bool(s, "tls", p + "sentinel.tls");
        } else if (cluster.isPresent()) {
            Map<String, Object> c = cluster.get();
            TreeValues.rejectUnknownKeys(c, p + "cluster.", CLUSTER_KEYS);
            topology = new RedisTopology.Cluster(addresses(c, p + "cluster.addresses", "cluster node"));
        } else {
            String wanted = mode.orElse("standalone");
            throw TreeValues.error(p + switch (wanted) {
                case "sentinel" -> "sentinel";
                case "cluster" -> "cluster";
                default -> "address";
            }, "required: one of address (standalone), sentinel or cluster");
        }
        if (mode.isPresent() && !mode.get().equals(topology.mode())) {
            throw TreeValues.error(p + "mode", "is '" + mode.get() + "' but the block given is for "
                    + topology.mode());
        }
        long database = TreeValues.integer(map, "database", p + "database").orElse((long) DEFAULT_DATABASE);
        if (database < 0 || database > 1_000_000) {
            throw TreeValues.error(p + "database", "must be >= 0, got " + database);
        }
        if (database != 0 && topology instanceof RedisTopology.Cluster) {
            throw TreeValues.error(p + "database", "Redis Cluster has only database 0, got " + database);
        }
        long poolSize = TreeValues.integer(map, "pool-size", p + "pool-size").orElse((long) DEFAULT_POOL_SIZE);
        if (poolSize < 1 || poolSize > 10_000) {
            throw TreeValues.error(p + "pool-size", "must be in 1..10000, got " + poolSize);
        }
        Builder b = builder(topology)
                .tls(RedisTls.parse(map.get("tls"), p + "tls", baseDir))
                .database((int) database)
                .poolSize((int) poolSize)
                .connectTimeout(positive(TreeValues.duration(map, "connect-timeout", p + "connect-timeout")
                        .orElse(DEFAULT_CONNECT_TIMEOUT), p + "connect-timeout"))
                .readTimeout(positive(TreeValues.duration(map, "read-timeout", p + "read-timeout")
                        .orElse(DEFAULT_READ_TIMEOUT), p + "read-timeout"))
                .poolWait(positive(TreeValues.duration(map, "pool-wait", p + "pool-wait")
                        .orElse(DEFAULT_POOL_WAIT), p + "pool-wait"));
        sentinelTls.ifPresent(b::sentinelTls);
        TreeValues.string(map, "user", p + "user").ifPresent(b::user);
        TreeValues.string(map, "password", p + "password").ifPresent(b::password);
        return b.build();
    }

    private static List<RedisAddress> addresses(Map<String, Object> block, String field, String what) {
        List<?> raw = TreeValues.list(block, "addresses", field)
                .orElseThrow(() -> TreeValues.error(field, "required: a list of host:port"));
        if (raw.isEmpty()) {
            throw TreeValues.error(field, "at least one " + what + " address is required");
        }
        List<RedisAddress> result = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String itemField = field + "[" + i + "]";
            if (!(raw.get(i) instanceof String text)) {
                throw TreeValues.error(itemField, "expected host:port, got " + TreeValues.describe(raw.get(i)));
            }
            result.add(RedisAddress.parse(text, itemField));
        }
        return result;
    }

    private static Duration positive(Duration d, String field) {
        if (d.isNegative() || d.isZero()) {
            throw TreeValues.error(field, "must be > 0, got " + d);
        }
        return d;
    }

    private static void requirePositive(Duration d, String field) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + ": must be > 0, got " + d);
        }
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "RedisSettings[" + topology + (user.isPresent() ? ", user=" + user.get() : "")
                + (password.isPresent() ? ", password=***" : "") + ", tls=" + tls
                + (topology instanceof RedisTopology.Sentinel ? ", sentinel-tls=" + sentinelTls : "")
                + ", database=" + database
                + ", connect-timeout=" + connectTimeout.toMillis() + "ms, read-timeout=" + readTimeout.toMillis()
                + "ms, pool-size=" + poolSize + ", pool-wait=" + poolWait.toMillis() + "ms]";
    }
}
