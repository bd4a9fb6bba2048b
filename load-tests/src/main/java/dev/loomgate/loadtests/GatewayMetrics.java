package dev.loomgate.loadtests;

import java.util.Optional;

/** Reads counters from a gateway node's Prometheus text metrics. */
public final class GatewayMetrics {
    static final String UPSTREAM_OPENED = "loomgate_upstream_connections_opened_total";

    private GatewayMetrics() {
    }

    /**
     * The sum of every sample of {@code name} (all label sets), or empty if the metric is not there. A {@code name}
     * with a label set ({@code x{route="a"}}, labels in the order the node prints them) reads that one series.
     */
    public static Optional<Long> counter(String metricsText, String name) {
        return sum(metricsText, name).map(Double::longValue);
    }

    /** As {@link #counter} without rounding: for {@code _sum} samples of histograms (seconds). */
    public static Optional<Double> sum(String metricsText, String name) {
        double sum = 0;
        boolean found = false;
        for (String line : metricsText.split("\n")) {
            boolean labelled = !name.contains("{") && line.startsWith(name + "{");
            if (line.startsWith(name + " ") || labelled) {
                String rest = labelled ? line.substring(line.lastIndexOf('}') + 1) : line.substring(name.length());
                sum += Double.parseDouble(rest.trim().split("\\s+")[0]);
                found = true;
            }
        }
        return found ? Optional.of(sum) : Optional.empty();
    }

    /**
     * The metrics text of the node whose admin API listens on {@code adminPort}.
     *
     * @throws BenchFailure if the scrape fails
     */
    public static String text(int adminPort) {
        String url = "http://127.0.0.1:" + adminPort + "/metrics";
        return LocalHost.get(url).filter(r -> r.statusCode() == 200).map(r -> r.body())
                .orElseThrow(() -> new BenchFailure("cannot scrape " + url));
    }

    /** Scrapes {@code url} and reads {@code name}; empty if the scrape fails or the metric is absent. */
    static Optional<Long> scrape(String url, String name) {
        return LocalHost.get(url)
                .filter(r -> r.statusCode() == 200)
                .flatMap(r -> counter(r.body(), name));
    }
}
