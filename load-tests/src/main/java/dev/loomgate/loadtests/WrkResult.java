package dev.loomgate.loadtests;

/**
 * What one wrk run reported. Latencies are in microseconds.
 *
 * @param requests       completed requests
 * @param requestsPerSec wrk's "Requests/sec" line
 * @param p50Micros      50th latency percentile (from "Latency Distribution")
 * @param p99Micros      99th latency percentile
 * @param non2xx3xx      responses with a status outside 2xx/3xx
 * @param socketErrors   connect + read + write + timeout errors
 */
public record WrkResult(long requests, double requestsPerSec, double p50Micros, double p99Micros,
                        long non2xx3xx, SocketErrors socketErrors) {

    /** wrk's "Socket errors: connect N, read N, write N, timeout N" line (all zero when absent). */
    public record SocketErrors(long connect, long read, long write, long timeout) {
        public static final SocketErrors NONE = new SocketErrors(0, 0, 0, 0);

        public long total() {
            return connect + read + write + timeout;
        }
    }

    /** Requests that did not succeed: bad statuses plus socket errors. */
    public long failures() {
        return non2xx3xx + socketErrors.total();
    }
}
