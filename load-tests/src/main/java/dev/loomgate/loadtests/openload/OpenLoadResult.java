package dev.loomgate.loadtests.openload;

import java.util.List;

/**
 * What one constant-rate run measured. Latencies count from each request's intended start, so a stall of the
 * server (or of the generator) shows as latency of every request it delayed (no coordinated omission).
 *
 * @param targetRate      requests per second asked for
 * @param achievedRate    completed requests / seconds from the first intended start to the last completion
 * @param completed       requests answered 2xx
 * @param errors          failed requests (connection errors, non-2xx)
 * @param latency         latency from intended start to the end of the response, us
 * @param sendLag         how late each request left the generator after its intended start, us: a lag that
 *                        grows means the generator (or every connection being busy) could not keep the rate
 * @param errorSamples    the first few error messages
 */
public record OpenLoadResult(double targetRate, double achievedRate, long completed, long errors,
                             LatencyHistogram latency, LatencyHistogram sendLag, List<String> errorSamples) {

    /** The rate counts as held when at least this share of it was achieved. */
    public static final double HELD_SHARE = 0.97;

    /** True when the achieved rate reached {@link #HELD_SHARE} of the target. */
    public boolean rateHeld() {
        return achievedRate >= HELD_SHARE * targetRate;
    }
}
