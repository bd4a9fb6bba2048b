package dev.loomgate.consul.standin.store;

import java.util.List;

/** One {@code /v1/health/service} entry: the node, the instance and its checks (node checks included). */
public record HealthEntry(NodeRecord node, CatalogService service, List<CheckState> checks) {
    public HealthEntry {
        checks = List.copyOf(checks);
    }

    /** The node row of the catalog. */
    public record NodeRecord(NodeIdentity identity, long createIndex, long modifyIndex) {
    }
}
