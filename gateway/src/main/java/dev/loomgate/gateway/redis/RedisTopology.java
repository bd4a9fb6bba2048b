package dev.loomgate.gateway.redis;

import java.util.List;

/**
 * Where Redis is: one fixed server, a master found (and followed across failovers) through Sentinel, or a Redis
 * Cluster (several masters, keys sharded by hash slot) discovered from any of its seed nodes.
 */
public sealed interface RedisTopology {

    /** One server at a fixed address. */
    record Standalone(RedisAddress address) implements RedisTopology {
        public Standalone {
            if (address == null) {
                throw new IllegalArgumentException("address: required");
            }
        }

        @Override
        public String toString() {
            return "standalone " + address;
        }
    }

    /** The master named {@code masterName} as reported by any of {@code sentinels}. */
    record Sentinel(String masterName, List<RedisAddress> sentinels) implements RedisTopology {
        public Sentinel {
            if (masterName == null || masterName.isBlank()) {
                throw new IllegalArgumentException("sentinel.master-name: required when sentinel is used");
            }
            if (sentinels == null || sentinels.isEmpty()) {
                throw new IllegalArgumentException("sentinel.addresses: at least one sentinel address is required");
            }
            sentinels = List.copyOf(sentinels);
        }

        @Override
        public String toString() {
            return "sentinel master '" + masterName + "' via " + sentinels;
        }
    }

    /** A Redis Cluster reached through any of {@code seeds}; the client learns the slot map and follows it. */
    record Cluster(List<RedisAddress> seeds) implements RedisTopology {
        public Cluster {
            if (seeds == null || seeds.isEmpty()) {
                throw new IllegalArgumentException("cluster.addresses: at least one cluster node address is required");
            }
            seeds = List.copyOf(seeds);
        }

        @Override
        public String toString() {
            return "cluster via " + seeds;
        }
    }

    /** The {@code redis.mode} name of this topology. */
    default String mode() {
        return switch (this) {
            case Standalone s -> "standalone";
            case Sentinel s -> "sentinel";
            case Cluster c -> "cluster";
        };
    }
}
