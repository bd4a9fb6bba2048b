package dev.loomgate.chaos.scenario;

/**
 * Paths the load generator uses on the cluster's demo routes.
 *
 * @param get          route for GETs
 * @param post         route for POSTs (with and without Idempotency-Key)
 * @param limited      a rate-limited route
 * @param limitPerSecond its cluster-wide limit in requests per second
 */
public record ClusterPaths(String get, String post, String limited, double limitPerSecond) {
}
