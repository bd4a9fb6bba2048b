package dev.loomgate.gateway.redis;

import java.util.List;

/** Where Redis is: one fixed server, or a master found (and followed across failovers) through Sentinel. */
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
}
