package dev.loomgate.consul.standin.store;

import java.time.Duration;
import java.util.List;

/** A session (SPEC §7). {@code ttl} is ZERO for sessions without TTL. */
public record Session(String id, String name, String node, Duration lockDelay, String behavior, Duration ttl,
                      List<String> nodeChecks, List<String> serviceChecks, long createIndex, long modifyIndex,
                      long invalidateAtNanos) {
    public Session {
        nodeChecks = List.copyOf(nodeChecks);
        serviceChecks = List.copyOf(serviceChecks);
    }

    List<String> allChecks() {
        return java.util.stream.Stream.concat(nodeChecks.stream(), serviceChecks.stream()).toList();
    }
}
