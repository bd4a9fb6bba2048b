package dev.loomgate.consul.standin.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/** The KV table with tombstones and lock-delays (SPEC §3). All methods take the store lock. */
public final class KvStore {
    private final Store store;
    final TreeMap<String, KvEntry> entries = new TreeMap<>();
    // deleted keys -> index of the delete; never reaped, so prefix indexes never fall
    final TreeMap<String, Long> tombstones = new TreeMap<>();
    private final Map<String, Long> lockDelayUntilNanos = new HashMap<>();
    long tableIndex;

    KvStore(Store store) {
        this.store = store;
    }

    /**
     * A single key; the index is the entry's ModifyIndex, or the table index when absent (BQ-8). A blocking GET on
     * a missing key is woken only by that key: its creation, or its deletion after the client's index (KV-8,
     * recent servers), not by writes to other keys, although the index it reports is store-wide.
     */
    public Store.Indexed<Optional<KvEntry>> get(String key) {
        return store.read(() -> {
            KvEntry entry = entries.get(key);
            return entry == null
                    ? new Store.Indexed<>(Optional.empty(), tableIndex, tombstones.getOrDefault(key, 0L))
                    : new Store.Indexed<>(Optional.of(entry), entry.modifyIndex());
        });
    }

    /** All entries with this string prefix, in key order; index as BQ-8 describes for recurse/keys. */
    public Store.Indexed<List<KvEntry>> list(String prefix) {
        return store.read(() -> {
            List<KvEntry> found = new ArrayList<>(underPrefix(entries, prefix).values());
            if (prefix.isEmpty()) {
                return new Store.Indexed<>(found, tableIndex);
            }
            long max = 0;
            for (KvEntry e : found) {
                max = Math.max(max, e.modifyIndex());
            }
            for (long deleted : underPrefix(tombstones, prefix).values()) {
                max = Math.max(max, deleted);
            }
            return new Store.Indexed<>(found, max == 0 ? tableIndex : max);
        });
    }

    /** Plain write, or check-and-set when {@code cas} is present (KV-9, KV-10). */
    public boolean put(String key, byte[] value, long flags, OptionalLong cas) {
        return store.mutate(tx -> {
            KvEntry existing = entries.get(key);
            if (cas.isPresent()) {
                long expected = cas.getAsLong();
                if (expected == 0 ? existing != null : existing == null || existing.modifyIndex() != expected) {
                    return false;
                }
            }
            String session = existing == null ? "" : existing.session();
            write(tx, new KvEntry(key, 0, 0, 0, flags, value, session));
            return true;
        });
    }

    /** {@code ?acquire=<session>} (KV-12). */
    public boolean acquire(String key, byte[] value, long flags, String sessionId) {
        return store.mutate(tx -> {
            if (sessionId.isEmpty()) {
                throw ConsulError.internal("missing session");
            }
            if (!store.sessions().existsLocked(sessionId)) {
                throw ConsulError.internal("invalid session \"" + sessionId + "\"");
            }
            Long delayedUntil = lockDelayUntilNanos.get(key);
            if (delayedUntil != null) {
                if (System.nanoTime() - delayedUntil < 0) {
                    return false;
                }
                lockDelayUntilNanos.remove(key);
            }
            KvEntry existing = entries.get(key);
            if (existing != null && !existing.session().isEmpty()) {
                if (!existing.session().equals(sessionId)) {
                    return false;
                }
                write(tx, new KvEntry(key, 0, 0, existing.lockIndex(), flags, value, sessionId));
                return true;
            }
            long lockIndex = existing == null ? 1 : existing.lockIndex() + 1;
            write(tx, new KvEntry(key, 0, 0, lockIndex, flags, value, sessionId));
            return true;
        });
    }

    /** {@code ?release=<session>} (KV-13). */
    public boolean release(String key, byte[] value, long flags, String sessionId) {
        return store.mutate(tx -> {
            KvEntry existing = entries.get(key);
            if (existing == null || sessionId.isEmpty() || !existing.session().equals(sessionId)) {
                return false;
            }
            write(tx, new KvEntry(key, 0, 0, existing.lockIndex(), flags, value, ""));
            return true;
        });
    }

    /** Single-key delete, optionally check-and-set (KV-14). */
    public boolean delete(String key, OptionalLong cas) {
        return store.mutate(tx -> {
            KvEntry existing = entries.get(key);
            if (existing == null) {
                return true;
            }
            if (cas.isPresent() && (cas.getAsLong() == 0 || existing.modifyIndex() != cas.getAsLong())) {
                return false;
            }
            remove(tx, key);
            return true;
        });
    }

    /** Deletes every key with this string prefix (KV-14 {@code ?recurse}). */
    public void deleteTree(String prefix) {
        store.mutate(tx -> {
            for (String key : List.copyOf(underPrefix(entries, prefix).keySet())) {
                remove(tx, key);
            }
            return null;
        });
    }

    /** Session invalidation (KV-15): release or delete the session's keys and start their lock-delay. */
    void invalidateSessionLocked(Store.Tx tx, String sessionId, boolean delete, long lockDelayNanos) {
        for (KvEntry entry : List.copyOf(entries.values())) {
            if (!entry.session().equals(sessionId)) {
                continue;
            }
            if (delete) {
                remove(tx, entry.key());
            } else {
                write(tx, new KvEntry(entry.key(), 0, 0, entry.lockIndex(), entry.flags(), entry.value(), ""));
            }
            if (lockDelayNanos > 0) {
                lockDelayUntilNanos.put(entry.key(), System.nanoTime() + lockDelayNanos);
            }
        }
    }

    private void write(Store.Tx tx, KvEntry wanted) {
        KvEntry existing = entries.get(wanted.key());
        if (existing != null && existing.sameContent(wanted)) {
            return;
        }
        long index = tx.index();
        long created = existing == null ? index : existing.createIndex();
        entries.put(wanted.key(), wanted.withIndexes(created, index));
        tombstones.remove(wanted.key());
        tableIndex = index;
    }

    private void remove(Store.Tx tx, String key) {
        long index = tx.index();
        entries.remove(key);
        tombstones.put(key, index);
        tableIndex = index;
    }

    private static <V> Map<String, V> underPrefix(TreeMap<String, V> map, String prefix) {
        if (prefix.isEmpty()) {
            return map;
        }
        // keys with this prefix sort between the prefix and the prefix followed by the highest char
        return map.subMap(prefix, true, prefix + Character.MAX_VALUE, false);
    }
}
