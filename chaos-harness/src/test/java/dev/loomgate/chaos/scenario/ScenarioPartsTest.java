package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.load.EpochClock;
import dev.loomgate.chaos.report.FaultEvent;
import dev.loomgate.chaos.report.RunReport;
import dev.loomgate.chaos.report.ScenarioResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fault timing, HAProxy stats, admin parsing, routes variants and the runner's skip and failure paths. */
class ScenarioPartsTest {
    private static final String CSV = """
            # pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight
            gateway-front,FRONTEND,,,1,2,4096,10,0,0,0,0,0,,,,,OPEN,
            gateways,gw1,0,0,0,1,,5,0,0,,0,,0,0,0,0,UP,1
            gateways,gw2,0,0,0,1,,5,0,0,,0,,0,0,0,0,DOWN,1
            gateways,gw3,0,0,0,1,,5,0,0,,0,,0,0,0,0,UP 1/2,1
            gateways,BACKEND,0,0,0,1,,5,0,0,0,0,,0,0,0,0,UP,2
            """;

    @Test
    void faultLogRecordsInstantsAndSpansOnTheLoadClock() throws Exception {
        EpochClock clock = new EpochClock();
        FaultLog log = new FaultLog(clock);
        long before = clock.epochMillis();
        List<String> done = new ArrayList<>();
        long at = log.instant("kill -9", "gw2", () -> done.add("killed"));
        FaultLog.Span span = log.begin("SIGSTOP", "redis", () -> done.add("stopped"));
        log.sleepUntil(span.startMillis() + 120);
        FaultEvent stop = span.end(() -> done.add("resumed"));
        assertEquals(List.of("killed", "stopped", "resumed"), done);
        assertTrue(at >= before && at <= stop.startMillis());
        assertTrue(stop.durationMillis() >= 120, "span " + stop);
        assertEquals(List.of("kill -9 gw2", "SIGSTOP redis"), log.events().stream().map(FaultEvent::label).toList());
        assertTrue(log.events().get(0).instant());
    }

    @Test
    void pollingReportsWhenAConditionFirstHeldOrNothing() throws Exception {
        EpochClock clock = new EpochClock();
        long start = clock.epochMillis();
        var seen = Polling.until(clock, Duration.ofMillis(10), Duration.ofSeconds(5),
                () -> clock.epochMillis() - start >= 100);
        assertTrue(seen.isPresent() && seen.getAsLong() - start >= 100);
        assertTrue(Polling.until(clock, Duration.ofMillis(10), Duration.ofMillis(60), () -> {
            throw new IllegalStateException("unreachable admin port");
        }).isEmpty());
    }

    @Test
    void haproxyServerStatesFromCsvAndTheRuntimeSocket(@TempDir Path dir) throws Exception {
        List<HaproxyStats.ServerState> parsed = HaproxyStats.parse(CSV);
        assertEquals(3, parsed.size());
        assertFalse(parsed.get(0).out());
        assertTrue(parsed.get(1).out());
        assertFalse(parsed.get(2).out(), "UP 1/2 is still in rotation");

        Path sock = dir.resolve("haproxy.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Thread answer = Thread.ofVirtual().start(() -> {
                try (SocketChannel c = server.accept()) {
                    ByteBuffer in = ByteBuffer.allocate(64);
                    c.read(in);
                    String command = new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII);
                    c.write(ByteBuffer.wrap((command.equals("show stat\n") ? CSV : "Unknown command\n")
                            .getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertEquals("DOWN", HaproxyStats.socket(sock).server("gw2").orElseThrow().status());
            answer.join(5000);
        }
    }

    @Test
    void adminVersionAndMetricsAreRead() {
        assertEquals("chaos9-199", GatewayAdmin.versionOf("{\"version\": \"chaos9-199\", \"lastRejection\": null}")
                .orElseThrow());
        String metrics = """
                # TYPE loomgate_ratelimit_degraded gauge
                loomgate_ratelimit_degraded 1
                loomgate_ratelimit_degraded_transitions_total 3
                """;
        assertEquals(1.0, GatewayAdmin.metricOf(metrics, "loomgate_ratelimit_degraded").orElseThrow());
        assertTrue(GatewayAdmin.metricOf(metrics, "loomgate_missing").isEmpty());
    }

    @Test
    void routesVariantsChangeOnlyTheVersion() {
        String doc = "version: \"1\"\nroutes:\n  - id: a\n    version: keep\n";
        assertEquals("version: \"v2\"\nroutes:\n  - id: a\n    version: keep\n", RoutesDocs.withVersion(doc, "v2"));
        assertEquals("version: \"v3\"\nroutes: []\n", RoutesDocs.withVersion("routes: []\n", "v3"));
    }

    @Test
    void catalogueHasItsScenariosAndRejectsUnknownNumbers() {
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
                Scenarios.all().stream().map(Scenario::number).toList());
        assertEquals(List.of(3, 7), Scenarios.all().stream().filter(Scenario::needsNamespaces)
                .map(Scenario::number).toList());
        assertEquals(List.of(1, 2, 4), Scenarios.only(Set.of(4, 1, 2)).stream().map(Scenario::number).toList());
        assertEquals(List.of(12), Scenarios.only(Set.of(12)).stream().map(Scenario::number).toList(),
                "numbers are the scenarios' own, not positions in the list");
        assertThrows(IllegalArgumentException.class, () -> Scenarios.only(Set.of(13)));
        assertThrows(IllegalArgumentException.class, () -> Scenarios.only(Set.of(0)));
        assertThrows(IllegalArgumentException.class, () -> ScenariosCli.numbers("1,x"));
    }

    @Test
    void runnerSkipsNamespaceScenariosInLoopbackAndFailsWhatCouldNotRun(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        ClusterLauncher broken = (options, workDir, progress) -> {
            throw new IllegalStateException("haproxy not installed");
        };
        RunReport report = new ScenarioRunner(broken, ClusterOptions.of(ClusterMode.LOOPBACK), true, dir, lines::add)
                .run(Scenarios.only(Set.of(1, 3)));
        assertFalse(report.passed());
        ScenarioResult kill = report.scenarios().get(0);
        ScenarioResult lb = report.scenarios().get(1);
        assertFalse(kill.passed());
        assertTrue(kill.criteria().getFirst().description().contains("haproxy not installed"));
        assertFalse(lb.passed(), "a skipped scenario is not a pass");
        assertTrue(lb.criteria().getFirst().description().contains(ScenarioRunner.NEEDS_NAMESPACES));
        assertTrue(lines.stream().anyMatch(l -> l.contains("skipped, needs namespace mode (root)")), lines.toString());
        assertTrue(Files.exists(dir.resolve("index.html")) && Files.exists(dir.resolve("summary.json")));
    }

    @Test
    void loadWorkerArgumentsCarryTheWholeLoadConfig() {
        var config = dev.loomgate.chaos.load.LoadConfig.builder("10.77.0.100", 80).rate(150).maxRequests(4500)
                .maxDuration(Duration.ofSeconds(30)).mix(2, 1, 1)
                .path(dev.loomgate.chaos.load.RequestKind.GET, "/items")
                .path(dev.loomgate.chaos.load.RequestKind.POST_IDEMPOTENT, "/orders")
                .path(dev.loomgate.chaos.load.RequestKind.POST, "/orders")
                .newConnectionShare(0.2).maxInFlight(512).readTimeout(Duration.ofSeconds(10)).seed(7).build();
        List<String> args = LoadWorker.args(config, Path.of("/tmp/x.jsonl"));
        java.util.Map<String, String> o = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.size(); i += 2) {
            o.put(args.get(i).substring(2), args.get(i + 1));
        }
        assertEquals(config, LoadWorker.parse(o));
    }
}
