package dev.loomgate.chaos.scenario;

import java.io.IOException;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a gateway node's admin port: the serving config version and Prometheus gauges. */
public final class GatewayAdmin {
    private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]*)\"");

    private GatewayAdmin() {
    }

    /** The version the node serves ({@code GET /admin/config}); empty when the node does not answer. */
    public static Optional<String> configVersion(ChaosCluster cluster, ClusterProcess gateway) {
        try {
            return versionOf(cluster.httpGet(cluster.adminUrl(gateway).resolve("/admin/config"), cluster.adminHeaders())
                    .body());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<String> versionOf(String json) {
        Matcher m = VERSION.matcher(json);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Sum of a metric's samples ({@code loomgate_ratelimit_degraded}); empty when absent or unreachable. */
    public static OptionalDouble metric(ChaosCluster cluster, ClusterProcess gateway, String name) {
        try {
            return metricOf(cluster.httpGet(cluster.adminUrl(gateway).resolve("/metrics")).body(), name);
        } catch (IOException e) {
            return OptionalDouble.empty();
        }
    }

    static OptionalDouble metricOf(String text, String name) {
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            if (line.startsWith(name) && (line.length() > name.length())
                    && (line.charAt(name.length()) == ' ' || line.charAt(name.length()) == '{')) {
                String value = line.substring(line.lastIndexOf(' ') + 1);
                try {
                    sum += Double.parseDouble(value);
                    found = true;
                } catch (NumberFormatException ignored) {
                    // a timestamped or malformed line: not a gauge we read
                }
            }
        }
        return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }
}
