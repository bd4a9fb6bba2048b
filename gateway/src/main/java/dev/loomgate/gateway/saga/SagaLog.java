package dev.loomgate.gateway.saga;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import dev.loomgate.gateway.redis.RedisConnections;
import dev.loomgate.gateway.redis.saga.SagaLogStore;

/** The saga log in terms of {@link SagaRecord}s, over the fenced Redis store ({@link SagaLogStore}). */
final class SagaLog {
    private final SagaLogStore store;

    SagaLog(RedisConnections redis) {
        this.store = new SagaLogStore(redis);
    }

    static List<String> keys(String id) {
        return SagaLogStore.keys(id);
    }

    OptionalLong create(SagaRecord r, String node, Duration lease) {
        return store.create(r.id, r.toJson(), r.state.name(), node, lease);
    }

    /** @throws SagaLogStore.FencedException when another node has taken the saga over */
    void write(SagaRecord r, long token, String node, Duration lease) {
        r.updatedMs = System.currentTimeMillis();
        store.write(r.id, token, r.toJson(), r.state.name(), r.state.isFinal(), r.state == SagaRecord.State.STUCK,
                node, lease);
    }

    void renew(String id, long token, String node, Duration lease) {
        store.renew(id, token, node, lease);
    }

    SagaLogStore.Acquired acquire(String id, String node, Duration lease, boolean force) {
        return store.acquire(id, node, lease, force);
    }

    Optional<SagaRecord> read(String id) {
        return store.read(id).map(SagaRecord::fromJson);
    }

    Optional<String> leaseHolder(String id) {
        return store.leaseHolder(id);
    }

    List<String> due(long nowMs, int max) {
        return store.due(nowMs, max);
    }

    List<String> stuck(int max) {
        return store.stuck(max);
    }

    long stuckCount() {
        return store.stuckCount();
    }

    List<String> listed(int max) {
        return store.listed(max);
    }

    void dropIndexEntry(String id) {
        store.dropIndexEntry(id);
    }
}
