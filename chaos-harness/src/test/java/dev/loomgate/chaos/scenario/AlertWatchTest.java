package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.cluster.ClusterSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The node-down alert's bound read from a prometheus.yml and the repository's real rules; Alertmanager's answer. */
class AlertWatchTest {
    // the shape the monitoring role renders (ansible/roles/monitoring/templates/prometheus.yml.j2)
    private static final String PROMETHEUS_YML = """
            global:
              scrape_interval: 2s
              scrape_timeout: 1s
              evaluation_interval: 5s
              external_labels:
                cluster: loomgate

            rule_files:
              - loomgate-alerts.yml

            alerting:
              alertmanagers:
                - static_configs:
                    - targets: ["10.77.0.71:9093"]

            scrape_configs:
              - job_name: loomgate-gateway
                metrics_path: /metrics
                static_configs:
                  - targets: ["10.77.0.11:9081"]
                    labels:
                      node: gw1

              - job_name: haproxy
                scrape_interval: 10s
                static_configs:
                  - targets: ["10.77.0.31:8404"]
            """;

    @Test
    void boundComesFromTheRenderedConfigAndTheRepositoryRules(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, PROMETHEUS_YML);
        Files.copy(ClusterSpec.findRepoRoot().resolve("monitoring/prometheus/loomgate-alerts.yml"),
                dir.resolve("loomgate-alerts.yml"));
        AlertWatch.Bound bound = AlertWatch.bound(config, AlertWatch.NODE_DOWN, "loomgate-gateway");
        assertEquals(Duration.ofSeconds(30), bound.forDuration());
        assertEquals(Duration.ofSeconds(2), bound.scrapeInterval());
        assertEquals(Duration.ofSeconds(5), bound.evaluationInterval());
        assertEquals(Duration.ofSeconds(39), bound.total());
        assertEquals("for 30 s + 2 x scrape 2 s + evaluation 5 s", bound.explained());
        // a job's own scrape interval wins over the global one
        assertEquals(Duration.ofSeconds(10),
                AlertWatch.bound(PROMETHEUS_YML, Files.readString(dir.resolve("loomgate-alerts.yml")),
                        AlertWatch.NODE_DOWN, "haproxy").scrapeInterval());
        assertThrows(IllegalArgumentException.class,
                () -> AlertWatch.bound(PROMETHEUS_YML, "groups: []", AlertWatch.NODE_DOWN, "loomgate-gateway"));
    }

    @Test
    void forOfAnotherAlertIsNotTaken() {
        String rules = """
                groups:
                  - name: g
                    rules:
                      - alert: LoomgateNodeDown
                        expr: up == 0
                        labels:
                          severity: page
                      - alert: Other
                        expr: vector(1)
                        for: 10m
                """;
        assertEquals(Duration.ZERO, AlertWatch.bound(PROMETHEUS_YML, rules, AlertWatch.NODE_DOWN, "loomgate-gateway")
                .forDuration());
    }

    @Test
    void prometheusDurations() {
        assertEquals(Duration.ofSeconds(90), AlertWatch.duration("1m30s"));
        assertEquals(Duration.ofMillis(500), AlertWatch.duration("500ms"));
        assertEquals(Duration.ofHours(2), AlertWatch.duration("\"2h\""));
        assertThrows(IllegalArgumentException.class, () -> AlertWatch.duration("30"));
        assertThrows(IllegalArgumentException.class, () -> AlertWatch.duration("30s junk"));
        assertEquals(List.of("loomgate-alerts.yml"), AlertWatch.ruleFiles(PROMETHEUS_YML));
    }

    @Test
    void firingNeedsTheAlertNameTheNodeAndTheActiveState() {
        String alerts = """
                [{"labels":{"alertname":"LoomgateNodeDown","node":"gw1","job":"loomgate-gateway"},
                  "status":{"state":"suppressed","silencedBy":["x"],"inhibitedBy":[]}},
                 {"labels":{"alertname":"LoomgateConsulStale","node":"gw2"},
                  "status":{"state":"active","silencedBy":[],"inhibitedBy":[]}},
                 {"labels":{"alertname":"LoomgateNodeDown","node":"gw3"},
                  "status":{"state":"active","silencedBy":[],"inhibitedBy":[]}}]
                """;
        assertTrue(AlertWatch.firing(alerts, AlertWatch.NODE_DOWN, "gw3"));
        assertFalse(AlertWatch.firing(alerts, AlertWatch.NODE_DOWN, "gw1"), "suppressed is not firing");
        assertFalse(AlertWatch.firing(alerts, AlertWatch.NODE_DOWN, "gw2"), "another alert on the node");
        assertFalse(AlertWatch.firing("[]", AlertWatch.NODE_DOWN, "gw3"));
    }
}
