package dev.loomgate.loadtests.gatling;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A gateway node under load: its name, PID and admin base URL (for /metrics). */
public record GatewayNode(String name, long pid, String adminUrl) {
    private static final Pattern ADMIN_PORT = Pattern.compile("(?m)^\\s*admin-port:\\s*(\\d+)\\s*$");
    private static final Pattern ADMIN_HOST = Pattern.compile("(?m)^\\s*admin-host:\\s*(\\S+)\\s*$");

    /**
     * The admin URL from a node's gateway.yaml ({@code admin-host} defaults to 127.0.0.1, as a rendered
     * cluster config sets it).
     */
    static Optional<String> adminUrlFromConfig(String gatewayYaml) {
        Matcher port = ADMIN_PORT.matcher(gatewayYaml);
        if (!port.find()) {
            return Optional.empty();
        }
        Matcher host = ADMIN_HOST.matcher(gatewayYaml);
        return Optional.of("http://" + (host.find() ? host.group(1) : "127.0.0.1") + ":" + port.group(1));
    }

    /** A cluster PID file line as bin/chaos writes it: "PID START-TICKS EXECUTABLE NAME". */
    record PidFile(long pid, String name) {
        static Optional<PidFile> parse(String line) {
            String[] parts = line.trim().split(" ");
            if (parts.length < 4) {
                return Optional.empty();
            }
            try {
                return Optional.of(new PidFile(Long.parseLong(parts[0]), parts[parts.length - 1]));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }
}
