package dev.loomgate.loadtests.latency;

import static dev.loomgate.loadtests.ProxyOverheadBenchmark.say;

import dev.loomgate.loadtests.BenchBed;
import dev.loomgate.loadtests.BenchFailure;
import dev.loomgate.loadtests.BenchReport;
import dev.loomgate.loadtests.CpuMeter;
import dev.loomgate.loadtests.LocalHost;
import dev.loomgate.loadtests.MachineInfo;
import dev.loomgate.loadtests.ManagedProcesses;
import dev.loomgate.loadtests.NginxConfigs;
import dev.loomgate.loadtests.ReportFiles;
import dev.loomgate.loadtests.Wrk;
import dev.loomgate.loadtests.WrkOutputParser;
import dev.loomgate.loadtests.WrkResult;
import dev.loomgate.loadtests.openload.OpenLoad;
import dev.loomgate.loadtests.openload.OpenLoadResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Latency under normal load: the origin directly, one Loomgate node and nginx as a reverse proxy, each at the same
 * constant rate (half of nginx's maximum, measured first in the same run). Run by {@code bin/bench-latency};
 * see {@link LatencyOptions#HELP}.
 */
public final class LatencyBenchmark {
    private final LatencyOptions options;
    private final BenchBed bed;

    private LatencyBenchmark(LatencyOptions options, BenchBed bed) {
        this.options = options;
        this.bed = bed;
    }

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("loomgate.root", ".")).toAbsolutePath().normalize();
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(LatencyOptions.HELP);
            return;
        }
        LatencyOptions options;
        try {
            options = LatencyOptions.parse(args, root);
        } catch (IllegalArgumentException e) {
            System.err.println("bench-latency: " + e.getMessage());
            System.exit(2);
            return;
        }
        int rc;
        try (BenchBed bed = BenchBed.create("loomgate-bench-latency-", options.keepTemp())) {
            BenchBed.requireTools("wrk", "nginx");
            LatencyReport report = new LatencyBenchmark(options, bed).run();
            System.out.println();
            System.out.print(report.text());
            say("reports: %s", String.join(", ", ReportFiles.write(options.outDir(), "latency", report.json(),
                    report.markdown()).stream().map(Path::toString).toList()));
            rc = report.errors() > 0 || !report.valid() ? 1 : 0;
            if (rc == 0) {
                bed.succeeded();
            }
        } catch (BenchFailure | WrkOutputParser.WrkParseException | IllegalStateException e) {
            System.err.println("\nbench-latency: FAILED: " + e.getMessage());
            rc = 1;
        } catch (IOException | UncheckedIOException e) {
            System.err.println("\nbench-latency: FAILED: " + e);
            rc = 1;
        } catch (InterruptedException e) {
            System.err.println("\nbench-latency: interrupted");
            rc = 1;
        }
        System.exit(rc);
    }

    private LatencyReport run() throws IOException, InterruptedException {
        MachineInfo m = MachineInfo.probe();
        String machine = "%d cores, %s, %s; %s; %s".formatted(m.cores(), m.cpuModel(), m.memory(), m.jdk(), m.date());
        say("machine: %s, load %s", machine, MachineInfo.loadAverage());
        List<Integer> ports = LocalHost.freePorts(6);
        int originDirect = ports.get(0), originForGateway = ports.get(1), originForNginx = ports.get(2);
        int gatewayPort = ports.get(3), adminPort = ports.get(4), nginxPort = ports.get(5);
        String body = NginxConfigs.body(100);

        Path originDir = bed.dir("origin");
        ManagedProcesses.Started origin = bed.nginx("origin",
                NginxConfigs.upstream(originDir, List.of(originDirect, originForGateway, originForNginx), body));
        LocalHost.awaitServing("origin nginx", url(originDirect), body, origin, Duration.ofSeconds(20));
        ManagedProcesses.Started proxy = bed.nginx("nginx-proxy", NginxConfigs.reverseProxy(bed.dir("nginx-proxy"),
                Runtime.getRuntime().availableProcessors(), nginxPort, originForNginx));
        LocalHost.awaitServing("nginx proxy", url(nginxPort), body, proxy, Duration.ofSeconds(20));
        ManagedProcesses.Started gateway = bed.gateway("loomgate", options.gatewayJar(), options.gatewayJvmOpts(),
                gatewayPort, adminPort, BenchBed.singleRoute(List.of(originForGateway)),
                "upstream: { max-connections-per-endpoint: 256 }\n");
        LocalHost.awaitServing("Loomgate node", url(gatewayPort), body, gateway, Duration.ofSeconds(90));
        say("started: origin :%d/:%d/:%d, Loomgate :%d (%s), nginx proxy :%d", originDirect, originForGateway,
                originForNginx, gatewayPort, String.join(" ", options.gatewayJvmOpts()), nginxPort);

        Wrk wrk = new Wrk(bed.processes(), bed.work(), 2, 64);
        if (options.warmupSec() > 0) {
            say("warm-up loomgate %d s (wrk -t2 -c64) ...", options.warmupSec());
            WrkResult w = wrk.run("warmup-loomgate", url(gatewayPort), options.warmupSec());
            say("warm-up loomgate done: %,.0f req/s", w.requestsPerSec());
            int nginxWarmup = Math.min(options.warmupSec(), 5);
            wrk.run("warmup-nginx", url(nginxPort), nginxWarmup);
            wrk.run("warmup-direct", url(originDirect), nginxWarmup);
        }
        double rate;
        String source;
        if (options.rate().isPresent()) {
            rate = options.rate().get();
            source = "--rate";
        } else {
            say("measuring nginx proxy's maximum: wrk -t2 -c64 %d s ...", options.maxProbeSec());
            WrkResult max = wrk.run("max-nginx", url(nginxPort), options.maxProbeSec());
            rate = Math.floor(max.requestsPerSec() * options.rateShare());
            source = "%.0f %% of nginx's measured maximum %s req/s".formatted(options.rateShare() * 100,
                    LatencyReport.fmt(max.requestsPerSec()));
            say("nginx maximum %,.0f req/s -> offered rate %,.0f req/s", max.requestsPerSec(), rate);
        }
        // Loomgate's own maximum in the same run: the share of it the offered rate takes explains queueing.
        say("measuring Loomgate's maximum: wrk -t2 -c64 %d s ...", options.maxProbeSec());
        double loomgateMax = wrk.run("max-loomgate", url(gatewayPort), options.maxProbeSec()).requestsPerSec();
        say("Loomgate maximum %,.0f req/s: the offered rate is %.0f %% of it", loomgateMax, rate / loomgateMax * 100);

        record Subject(String name, int port, ManagedProcesses.Started process) {
        }
        List<Subject> subjects = List.of(new Subject(LatencyReport.DIRECT, originDirect, origin),
                new Subject(LatencyReport.LOOMGATE, gatewayPort, gateway), new Subject(LatencyReport.NGINX, nginxPort, proxy));
        List<LatencyReport.Row> rows = new ArrayList<>();
        for (Subject s : subjects) {
            say("%-8s constant %,.0f req/s for %d s over %d connections ...", s.name(), rate, options.durationSec(),
                    options.connections());
            // the generator runs in this JVM; the servers are its children, hence its own CPU only
            ProcessHandle self = ProcessHandle.current(), originHandle = origin.process().toHandle();
            ProcessHandle proxyHandle = s.process().process().toHandle();
            boolean isDirect = s.process() == origin;
            long gen0 = CpuMeter.nanos(self), origin0 = CpuMeter.treeNanos(originHandle);
            long proxy0 = isDirect ? 0 : CpuMeter.treeNanos(proxyHandle);
            Optional<CpuMeter.MachineTicks> machine0 = CpuMeter.machine();
            long wall0 = System.nanoTime();
            OpenLoadResult r = OpenLoad.run(new OpenLoad.Plan(s.port(), "/", rate,
                    Duration.ofSeconds(options.durationSec()), options.connections()));
            Duration wall = Duration.ofNanos(System.nanoTime() - wall0);
            if (!s.process().process().isAlive()) {
                throw new BenchFailure(s.name() + " exited during its run; log:\n" + s.process().logTail());
            }
            CpuMeter.CoresUsed cores = CpuMeter.CoresUsed.of(CpuMeter.nanos(self) - gen0,
                    isDirect ? Optional.empty() : Optional.of(CpuMeter.treeNanos(proxyHandle) - proxy0),
                    CpuMeter.treeNanos(originHandle) - origin0,
                    CpuMeter.machine().flatMap(m1 -> machine0.map(m1::busyShareSince)), wall,
                    Runtime.getRuntime().availableProcessors());
            LatencyReport.Row row = LatencyReport.Row.of(s.name(), r, cores);
            rows.add(row);
            say("%-8s achieved %,.0f req/s%s  p50 %s  p99 %s  p99.9 %s  max %s  errors %d%s  (load %s)", s.name(),
                    r.achievedRate(), r.rateHeld() ? "" : " (RATE NOT HELD)", BenchReport.latency(row.p50()),
                    BenchReport.latency(row.p99()), BenchReport.latency(row.p999()), BenchReport.latency(row.max()),
                    r.errors(), r.errorSamples().isEmpty() ? "" : " e.g. " + r.errorSamples().getFirst(),
                    MachineInfo.loadAverage());
            say("%-8s cores used: %s", s.name(), cores.text());
        }
        return new LatencyReport(machine, rate, source, rows, Optional.of(loomgateMax));
    }

    private static String url(int port) {
        return "http://127.0.0.1:" + port + "/";
    }
}
