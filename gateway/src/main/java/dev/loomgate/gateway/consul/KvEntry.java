package dev.loomgate.gateway.consul;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One KV entry. {@code value} is empty for a null/empty Consul value; {@code flags} and the
 * indexes are uint64 (SPEC G-10).
 */
public record KvEntry(String key, byte[] value, long flags, long createIndex, long modifyIndex) {
    public KvEntry {
        Objects.requireNonNull(key, "key");
        value = value == null ? new byte[0] : value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    public String valueUtf8() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KvEntry e && key.equals(e.key) && Arrays.equals(value, e.value) && flags == e.flags
                && createIndex == e.createIndex && modifyIndex == e.modifyIndex;
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, Arrays.hashCode(value), flags, modifyIndex);
    }

    @Override
    public String toString() {
        return "KvEntry[" + key + " flags=" + Long.toUnsignedString(flags) + " modifyIndex="
                + Long.toUnsignedString(modifyIndex) + " " + value.length + " bytes]";
    }
}
