package dev.loomgate.loadtests;

import java.util.Optional;

/** Reads a counter from the gateway's Prometheus text metrics. */
final class GatewayMetrics {
    static final String UPSTREAM_OPENED = "loomgate_upstream_connections_opened_total";

    private GatewayMetrics() {
    }

    /** The sum of every sample of {@code name} (all label sets), or empty if the metric is not there. */
    static Optional<Long> counter(String metricsText, String name) {
        long sum = 0;
        boolean found = false;
        for (String line : metricsText.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                String rest = line.startsWith(name + "{")
                        ? line.substring(line.lastIndexOf('}') + 1)
                        : line.substring(name.length());
                String value = rest.trim().split("\\s+")[0];
                sum += (long) Double.parseDouble(value);
                found = true;
            }
        }
        return found ? Optional.of(sum) : Optional.empty();
    }

    /** Scrapes {@code url} and reads {@code name}; empty if the scrape fails or the metric is absent. */
    static Optional<Long> scrape(String url, String name) {
        return LocalHost.get(url)
                .filter(r -> r.statusCode() == 200)
                .flatMap(r -> counter(r.body(), name));
    }
}
