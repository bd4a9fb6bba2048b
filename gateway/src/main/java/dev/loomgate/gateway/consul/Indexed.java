package dev.loomgate.gateway.consul;

/**
 * A blocking-query answer: the value and the {@code X-Consul-Index} it came with (uint64, compare
 * with {@link Long#compareUnsigned}).
 */
public record Indexed<T>(T value, long index) {
}
