package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.load.EpochClock;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether an alert of the cluster's rules reached Alertmanager, and how soon it may be expected to: the bound is
 * read from the rendered prometheus.yml and the rule files it loads, so it follows their intervals and {@code for:}.
 */
final class AlertWatch {
    static final String NODE_DOWN = "LoomgateNodeDown";
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w|y)");
    private static final Pattern RULE_FILE = Pattern.compile("(?m)^\\s*-\\s*\"?([^\"\\s#]+\\.ya?ml)\"?\\s*$");

    private AlertWatch() {
    }

    /**
     * The latest an alert can reach Alertmanager after its condition starts holding: {@code for:}, plus two scrape
     * intervals (the first scrape after the fault may start just before it; a failing one can take up to the scrape
     * timeout), plus one evaluation interval (the rule sees the sample at its next evaluation; pending starts there).
     */
    record Bound(Duration forDuration, Duration scrapeInterval, Duration evaluationInterval) {

        Duration total() {
            return forDuration.plus(scrapeInterval.multipliedBy(2)).plus(evaluationInterval);
        }

        /** {@code for 30 s + 2 x scrape 2 s + evaluation 5 s}. */
        String explained() {
            return "for " + seconds(forDuration) + " + 2 x scrape " + seconds(scrapeInterval) + " + evaluation "
                    + seconds(evaluationInterval);
        }

        private static String seconds(Duration d) {
            return dev.loomgate.chaos.report.Criterion.format(d.toMillis() / 1000.0) + " s";
        }
    }

    /** The bound of {@code alert} from the rendered prometheus.yml and the rule files it lists. */
    static Bound bound(Path prometheusConfig, String alert, String job) throws IOException {
        String config = Files.readString(prometheusConfig);
        List<String> rules = new ArrayList<>();
        for (String file : ruleFiles(config)) {
            // relative rule files are relative to the config file's folder (absolute ones stay as they are)
            rules.add(Files.readString(prometheusConfig.resolveSibling(file)));
        }
        return bound(config, String.join("\n", rules), alert, job);
    }

    /** The same from the texts: the job's own scrape interval if it has one, else the global one. */
    static Bound bound(String prometheusConfig, String rules, String alert, String job) {
        String global = block(prometheusConfig, "global:", "\n[a-z_]+:");
        String jobBlock = block(prometheusConfig, "job_name: " + job, "- job_name:");
        Duration scrape = value(jobBlock, "scrape_interval").or(() -> value(global, "scrape_interval"))
                .map(AlertWatch::duration).orElse(Duration.ofMinutes(1)); // Prometheus' defaults
        Duration evaluation = value(global, "evaluation_interval").map(AlertWatch::duration)
                .orElse(Duration.ofMinutes(1));
        String rule = block(rules, "alert: " + alert, "\n\\s*- (alert|record):");
        if (rule.isEmpty()) {
            throw new IllegalArgumentException("no alert " + alert + " in the rule files");
        }
        Duration forDuration = value(rule, "for").map(AlertWatch::duration).orElse(Duration.ZERO);
        return new Bound(forDuration, scrape, evaluation);
    }

    static List<String> ruleFiles(String prometheusConfig) {
        String section = block(prometheusConfig, "rule_files:", "\n[a-z_]+:");
        List<String> files = new ArrayList<>();
        Matcher m = RULE_FILE.matcher(section);
        while (m.find()) {
            files.add(m.group(1));
        }
        return files;
    }

    /** Prometheus' duration syntax: {@code 2s}, {@code 1m30s}, {@code 500ms}. */
    static Duration duration(String text) {
        String t = text.strip().replace("\"", "");
        Matcher m = DURATION_PART.matcher(t);
        Duration d = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                case "w" -> Duration.ofDays(7 * n);
                default -> Duration.ofDays(365 * n);
            });
            end = m.end();
        }
        if (end == 0 || end != t.length()) {
            throw new IllegalArgumentException("not a Prometheus duration: '" + text + "'");
        }
        return d;
    }

    /**
     * Whether Alertmanager's {@code /api/v2/alerts} answer holds {@code alert} as firing (state active: received,
     * neither silenced nor inhibited, not resolved) with {@code node} as its node label.
     */
    static boolean firing(String alertsJson, String alert, String node) {
        JsonArray alerts = Json.createReader(new StringReader(alertsJson)).readArray();
        for (JsonValue v : alerts) {
            JsonObject a = v.asJsonObject();
            JsonObject labels = a.getJsonObject("labels");
            JsonObject status = a.getJsonObject("status");
            if (labels != null && status != null && alert.equals(labels.getString("alertname", ""))
                    && node.equals(labels.getString("node", "")) && "active".equals(status.getString("state", ""))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Polls Alertmanager (every 250 ms, from the client side of the cluster) until {@code alert} fires for
     * {@code node}; the epoch ms it was first seen on {@code clock}, empty if not within {@code timeout}.
     */
    static OptionalLong awaitFiring(ChaosCluster cluster, URI alertmanager, String alert, String node,
                                    EpochClock clock, Duration timeout) throws InterruptedException {
        URI alerts = alertmanager.resolve("/api/v2/alerts?active=true&silenced=false&inhibited=false");
        return Polling.until(clock, Duration.ofMillis(250), timeout, () -> {
            try {
                HttpResult r = cluster.httpGet(alerts);
                return r.status() == 200 && firing(r.body(), alert, node);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static Optional<String> value(String block, String key) {
        Matcher m = Pattern.compile("(?m)^\\s*" + Pattern.quote(key) + ":\\s*(\\S+)").matcher(block);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** From the line holding {@code start} up to the next match of {@code endRegex} (or the end). */
    private static String block(String text, String start, String endRegex) {
        int from = text.indexOf(start);
        if (from < 0) {
            return "";
        }
        Matcher end = Pattern.compile(endRegex).matcher(text);
        int to = end.find(from + start.length()) ? end.start() : text.length();
        return text.substring(from, to);
    }
}
