package dev.loomgate.gateway.redis;

import dev.loomgate.testsupport.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster on loopback: {@code masters} cluster-enabled redis-servers (plus {@code replicasPerMaster}
 * replicas each) joined with {@code redis-cli --cluster create}, started through {@link RedisTestServers} so that
 * closing those kills every process. Failover after a master is killed takes about twice {@link #NODE_TIMEOUT}.
 *
 * <pre>
 * try (RedisTestServers servers = RedisTestServers.create()) {
 *     RedisTestCluster cluster = RedisTestCluster.start(servers, 3, 1);
 *     RedisSettings settings = RedisSettings.cluster(cluster.seeds());
 *     servers.kill(cluster.masterOf("some-key"));   // its replica takes the slots over
 * }
 * </pre>
 */
public final class RedisTestCluster {
    /** {@code cluster-node-timeout}: how long a master may be silent before its replica is promoted. */
    public static final Duration NODE_TIMEOUT = Duration.ofMillis(1000);
    private static final Duration FORM_TIMEOUT = Duration.ofSeconds(30);

    private final RedisTestServers servers;
    private final List<RedisTestServers.Server> nodes;

    private RedisTestCluster(RedisTestServers servers, List<RedisTestServers.Server> nodes) {
        this.servers = servers;
        this.nodes = List.copyOf(nodes);
    }

    /** Starts the nodes, creates the cluster and returns once every node reports {@code cluster_state:ok}. */
    public static RedisTestCluster start(RedisTestServers servers, int masters, int replicasPerMaster) {
        if (masters < 3) {
            throw new IllegalArgumentException("redis-cli --cluster create needs at least 3 masters, got " + masters);
        }
        List<RedisTestServers.Server> nodes = new ArrayList<>();
        for (int i = 0; i < masters * (1 + replicasPerMaster); i++) {
            nodes.add(servers.startServer(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", Long.toString(NODE_TIMEOUT.toMillis()),
                    // A replica may be promoted however long its link was down: the tests kill masters on purpose.
                    "--cluster-replica-validity-factor", "0")));
        }
        List<String> command = new ArrayList<>(List.of(redisCli(), "--cluster", "create"));
        nodes.forEach(n -> command.add("127.0.0.1:" + n.port()));
        command.addAll(List.of("--cluster-replicas", Integer.toString(replicasPerMaster), "--cluster-yes"));
        run(command);
        RedisTestCluster cluster = new RedisTestCluster(servers, nodes);
        cluster.awaitHealthy();
        return cluster;
    }

    /** Every node's address: give any of them to {@link RedisSettings#cluster}. */
    public List<RedisAddress> seeds() {
        return nodes.stream().map(RedisTestServers.Server::address).toList();
    }

    public List<RedisTestServers.Server> nodes() {
        return nodes;
    }

    /** The nodes that are masters now (this changes after a failover). */
    public List<RedisTestServers.Server> masters() {
        return nodes.stream().filter(RedisTestServers.Server::alive)
                .filter(n -> RedisTestServers.info(n.port(), "replication").contains("role:master")).toList();
    }

    /** The live master that currently serves {@code key}'s slot. */
    public RedisTestServers.Server masterOf(String key) {
        long slot = redis.clients.jedis.util.JedisClusterCRC16.getSlot(key);
        for (RedisTestServers.Server n : masters()) {
            try {
                if (ownsSlot(n, slot)) {
                    return n;
                }
            } catch (IOException e) {
                // not reachable: not the owner
            }
        }
        throw new IllegalStateException("no live master owns slot " + slot + " of '" + key + "'");
    }

    /** Waits until every live node reports {@code cluster_state:ok} (after creation, or after a failover). */
    public void awaitHealthy() {
        Await.until("Redis Cluster state ok on every live node", FORM_TIMEOUT, () -> nodes.stream()
                .filter(RedisTestServers.Server::alive)
                .allMatch(n -> clusterInfo(n).contains("cluster_state:ok")));
    }

    public RedisTestServers servers() {
        return servers;
    }

    private static boolean ownsSlot(RedisTestServers.Server node, long slot) throws IOException {
        String myId = RedisTestServers.command(node.port(), "CLUSTER", "MYID").getFirst();
        // CLUSTER SHARDS is Redis 7; CLUSTER NODES works on 6 and 7: "<id> <addr> <flags> ... <slot ranges>"
        for (String line : RedisTestServers.command(node.port(), "CLUSTER", "NODES").getFirst().split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 9 || !f[0].equals(myId)) {
                continue;
            }
            for (int i = 8; i < f.length; i++) {
                String range = f[i];
                if (range.startsWith("[")) {
                    continue;
                }
                String[] ends = range.split("-");
                long lo = Long.parseLong(ends[0]);
                long hi = ends.length == 2 ? Long.parseLong(ends[1]) : lo;
                if (slot >= lo && slot <= hi) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String clusterInfo(RedisTestServers.Server n) {
        try {
            List<String> reply = RedisTestServers.command(n.port(), "CLUSTER", "INFO");
            return reply.isEmpty() ? "" : reply.getFirst();
        } catch (IOException e) {
            return "";
        }
    }

    private static String redisCli() {
        String server = RedisTestServers.findRedisServer().orElseThrow();
        Path cli = Path.of(server).resolveSibling("redis-cli");
        if (!Files.isExecutable(cli)) {
            throw new IllegalStateException("redis-cli not found beside " + server + "; install redis-tools");
        }
        return cli.toString();
    }

    private static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(FORM_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(command + " exited " + p.exitValue() + ": "
                        + new String(out, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + command, e);
        }
    }
}
