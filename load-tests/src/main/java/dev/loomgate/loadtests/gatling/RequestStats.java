package dev.loomgate.loadtests.gatling;

/** One row of a Gatling report's statistics table: a request name (here: a phase) and its figures. */
public record RequestStats(String name, long total, long ko, long p50Ms, long p99Ms, long maxMs) {
    /** Failed requests as a percentage of all (0 when there were none). */
    public double koPercent() {
        return total == 0 ? 0 : 100.0 * ko / total;
    }
}
