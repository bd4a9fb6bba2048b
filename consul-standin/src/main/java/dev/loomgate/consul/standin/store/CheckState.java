package dev.loomgate.consul.standin.store;

/**
 * A check with its current status. {@code criticalSinceNanos} (System.nanoTime) is meaningful only while critical;
 * {@code ttlDeadlineNanos} only for TTL checks.
 */
public record CheckState(CheckDefinition definition, String serviceName, java.util.List<String> serviceTags,
                         String status, String output, long createIndex, long modifyIndex,
                         long criticalSinceNanos, long ttlDeadlineNanos) {
    public CheckState {
        serviceTags = java.util.List.copyOf(serviceTags);
    }

    public String checkId() {
        return definition.checkId();
    }
}
