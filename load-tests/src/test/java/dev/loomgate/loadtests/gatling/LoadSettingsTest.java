package dev.loomgate.loadtests.gatling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class LoadSettingsTest {
    @Test
    void defaultsPerTargetAndSimulation() {
        LoadSettings cluster = LoadSettings.parseArgs(List.of("--sim", "steady"));
        assertEquals(Sim.STEADY, cluster.sim());
        assertEquals(LoadSettings.Target.CLUSTER, cluster.target());
        assertEquals("/demo", cluster.path());
        assertEquals(200, cluster.rate());
        assertEquals(60, cluster.durationSec());
        assertEquals(50, cluster.p99Ms());
        assertEquals(0.1, cluster.maxErrorPct());
        assertEquals(Optional.empty(), cluster.url());
        assertEquals(Path.of("/tmp/loomgate-cluster"), cluster.clusterWork());

        LoadSettings node = LoadSettings.parseArgs(List.of("--sim=soak-short", "--target=node"));
        assertEquals("/", node.path());
        assertEquals(600, node.durationSec());
    }

    @Test
    void everyOptionInBothForms() {
        LoadSettings s = LoadSettings.parseArgs(List.of("--sim", "stress", "--target", "node", "--url",
                "http://127.0.0.1:9999", "--path=/api/x", "--rate", "12.5", "--warmup", "0", "--stress-start", "50",
                "--stress-step", "25", "--stress-max", "200", "--plateau", "7", "--p99-ms", "80",
                "--max-error-pct", "1", "--max-heap-growth-mb", "8", "--port-offset", "100", "--cluster-work", "w",
                "--spike-factor", "3"));
        assertEquals(Optional.of("http://127.0.0.1:9999"), s.url());
        assertEquals("/api/x", s.path());
        assertEquals(12.5, s.rate());
        assertEquals(0, s.warmupSec());
        assertEquals(50, s.stressStart());
        assertEquals(25, s.stressStep());
        assertEquals(200, s.stressMax());
        assertEquals(7, s.plateauSec());
        assertEquals(80, s.p99Ms());
        assertEquals(1, s.maxErrorPct());
        assertEquals(8, s.maxHeapGrowthMb());
        assertEquals(100, s.portOffset());
        assertEquals(Path.of("w"), s.clusterWork());
        assertEquals(3, s.spikeFactor());
    }

    @Test
    void systemPropertiesRoundTrip() {
        LoadSettings s = LoadSettings.parseArgs(List.of("--sim", "spike", "--rate", "150", "--duration", "30",
                "--spike-factor", "4", "--p99-ms", "70", "--max-error-pct", "0.5"));
        Properties props = new Properties();
        for (String arg : s.systemPropertyArgs("http://127.0.0.1:18080")) {
            assertTrue(arg.startsWith("-Dload."), arg);
            int eq = arg.indexOf('=');
            props.setProperty(arg.substring(2, eq), arg.substring(eq + 1));
        }
        LoadSettings back = LoadSettings.fromProperties(props);
        assertEquals(new LoadSettings(s.sim(), s.target(), Optional.of("http://127.0.0.1:18080"), s.path(), s.rate(),
                s.durationSec(), s.warmupSec(), s.spikeFactor(), s.stressStart(), s.stressStep(), s.stressMax(),
                s.plateauSec(), s.p99Ms(), s.maxErrorPct(), s.maxHeapGrowthMb(), s.portOffset(), s.clusterWork()),
                back);
        assertEquals("http://127.0.0.1:18080", back.requireUrl());
    }

    @Test
    void badInputGetsAClearError() {
        assertMessage("--sim is required", List.of());
        assertMessage("unknown simulation 'soak'", List.of("--sim", "soak"));
        assertMessage("--target must be cluster or node", List.of("--sim", "steady", "--target", "pod"));
        assertMessage("unknown option --rps", List.of("--sim", "steady", "--rps", "3"));
        assertMessage("missing value after --rate", List.of("--sim", "steady", "--rate"));
        assertMessage("--rate must be a number", List.of("--sim", "steady", "--rate", "fast"));
        assertMessage("--duration must be a whole number", List.of("--sim", "steady", "--duration", "1.5"));
        assertMessage("--rate must be > 0", List.of("--sim", "steady", "--rate", "0"));
        assertMessage("--path must start with /", List.of("--sim", "steady", "--path", "demo"));
        assertMessage("--url must be scheme://host:port", List.of("--sim", "steady", "--url", "http://h:1/x"));
        assertMessage("--stress-max (50.0) is below", List.of("--sim", "stress", "--stress-max", "50"));
        assertMessage("more than 100 plateaus", List.of("--sim", "stress", "--stress-step", "1"));
        assertMessage("unexpected argument 'steady'", List.of("steady"));
        assertThrows(IllegalArgumentException.class,
                () -> LoadSettings.parseArgs(List.of("--sim", "steady")).requireUrl());
    }

    private static void assertMessage(String expected, List<String> args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoadSettings.parseArgs(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
