package dev.loomgate.chaos.scenario;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
    public static Optional<String> configVersion(URI admin) {
        try {
            return versionOf(get(admin.resolve("/admin/config")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<String> versionOf(String json) {
        Matcher m = VERSION.matcher(json);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Sum of a metric's samples ({@code loomgate_ratelimit_degraded}); empty when absent or unreachable. */
    public static OptionalDouble metric(URI admin, String name) {
        try {
            return metricOf(get(admin.resolve("/metrics")), name);
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

    static String get(URI uri) throws IOException {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(2000);
        try (InputStream in = c.getResponseCode() < 400 ? c.getInputStream() : c.getErrorStream()) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }
}
