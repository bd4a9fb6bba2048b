package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.load.LoadConfig;
import dev.loomgate.chaos.load.RequestKind;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * What a scenario run gets besides the cluster.
 *
 * @param quick    the short CI version: lower rate, shorter phases, same criteria
 * @param outDir   the scenario's folder in the run folder (records, logs)
 * @param progress one line per step, for the console
 */
public record ScenarioContext(boolean quick, Path outDir, Consumer<String> progress) {

    /** Requests per second of the main load. */
    public double rate() {
        return quick ? 80 : 150;
    }

    /** A duration scaled for the quick version ({@code full} normally, {@code quick} in CI). */
    public Duration phase(Duration full, Duration quickVersion) {
        return quick ? quickVersion : full;
    }

    /**
     * Load before any baseline is taken, left out of the figures: a freshly started cluster answers its first
     * requests far slower (JIT, connection pools, the first Redis calls; a p99 of about 700 ms was measured in the
     * first seconds), which would make "no slower than before the fault" meaningless.
     */
    public Duration warmUp() {
        return phase(Duration.ofSeconds(15), Duration.ofSeconds(8));
    }

    public void say(String line) {
        progress.accept(line);
    }

    /**
     * The main load: fixed rate, GET : POST with Idempotency-Key : plain POST = 2 : 1 : 1, 20% fresh
     * connections, the rest kept alive; bounded by count and time.
     */
    public LoadConfig mainLoad(ChaosCluster cluster, Duration duration) {
        URI front = cluster.frontUrl();
        ClusterPaths paths = cluster.paths();
        return LoadConfig.builder(front.getHost(), port(front))
                .rate(rate())
                .maxDuration(duration)
                .maxRequests((long) Math.ceil(rate() * duration.toMillis() / 1000.0))
                .mix(2, 1, 1)
                .path(RequestKind.GET, paths.get())
                .path(RequestKind.POST_IDEMPOTENT, paths.post())
                .path(RequestKind.POST, paths.post())
                .newConnectionShare(0.2)
                .maxInFlight(512)
                .readTimeout(Duration.ofSeconds(10))
                .build();
    }

    /**
     * GETs on the rate-limited route at a bit more than twice its limit, so 429s must keep coming. HAProxy balances
     * each request round-robin: a rate commensurate with the main load's (80 + 10 = 9 requests per 100 ms, a
     * multiple of 3 nodes) would send every limited request to the same node, so the rate is detuned by 7 %.
     */
    public LoadConfig limitedLoad(ChaosCluster cluster, Duration duration) {
        URI front = cluster.frontUrl();
        ClusterPaths paths = cluster.paths();
        double rate = Math.max(4, paths.limitPerSecond() * 2) * 1.07;
        return LoadConfig.builder(front.getHost(), port(front))
                .rate(rate)
                .maxDuration(duration)
                .maxRequests((long) Math.ceil(rate * duration.toMillis() / 1000.0))
                .mix(1, 0, 0)
                .path(paths.limited())
                .newConnectionShare(0.2)
                .maxInFlight(256)
                .readTimeout(Duration.ofSeconds(10))
                .seed(7)
                .build();
    }

    private static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : 80;
    }
}
