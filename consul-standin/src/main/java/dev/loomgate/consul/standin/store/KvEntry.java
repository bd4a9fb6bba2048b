package dev.loomgate.consul.standin.store;

import java.util.Arrays;
import java.util.Optional;

/** One KV entry as stored; {@code session} is empty when the key is not locked. */
public record KvEntry(String key, long createIndex, long modifyIndex, long lockIndex, long flags, byte[] value,
                      String session) {
    public KvEntry {
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    public Optional<String> lockSession() {
        return session.isEmpty() ? Optional.empty() : Optional.of(session);
    }

    /** The fields Consul compares to skip idempotent writes (SPEC KV-9). */
    boolean sameContent(KvEntry other) {
        return key.equals(other.key) && flags == other.flags && Arrays.equals(value, other.value)
                && session.equals(other.session) && lockIndex == other.lockIndex;
    }

    KvEntry withIndexes(long create, long modify) {
        return new KvEntry(key, create, modify, lockIndex, flags, value, session);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KvEntry other && sameContent(other) && createIndex == other.createIndex
                && modifyIndex == other.modifyIndex;
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    @Override
    public String toString() {
        return "KvEntry[" + key + ", modifyIndex=" + modifyIndex + "]";
    }
}
