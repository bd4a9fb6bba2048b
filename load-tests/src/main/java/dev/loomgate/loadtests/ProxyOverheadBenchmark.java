package dev.loomgate.loadtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The proxy-overhead benchmark: wrk against the origin directly, through one Loomgate node and through nginx
 * as a keep-alive reverse proxy, in one run on loopback, warmed up, interleaved over several rounds; with
 * {@code --baseline-jar}, a second gateway (e.g. main's) in the same rounds, compared with the current one.
 * Run by {@code bin/bench-proxy} / {@code make bench}; see {@link BenchOptions#HELP}.
 */
public final class ProxyOverheadBenchmark {
    private final BenchOptions options;
    private final Path work;
    private final ManagedProcesses processes;
    private final String body;

    private ProxyOverheadBenchmark(BenchOptions options, Path work, ManagedProcesses processes) {
        this.options = options;
        this.work = work;
        this.processes = processes;
        this.body = NginxConfigs.body(options.bodyBytes());
    }

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("loomgate.root", ".")).toAbsolutePath().normalize();
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(BenchOptions.HELP);
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args, root);
        } catch (IllegalArgumentException e) {
            System.err.println("bench-proxy: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(runAll(options));
    }

    private static int runAll(BenchOptions options) {
        Path work = null;
        boolean ok = false;
        try (ManagedProcesses processes = new ManagedProcesses()) {
            preflight(options);
            work = Files.createTempDirectory("loomgate-bench-");
            // nginx workers run as 'nobody' when started by root: they must be able to enter the dir
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
            new ProxyOverheadBenchmark(options, work, processes).run();
            ok = true;
            return 0;
        } catch (BenchFailure | WrkOutputParser.WrkParseException e) {
            System.err.println("\nbench-proxy: FAILED: " + e.getMessage());
            return 1;
        } catch (IOException | UncheckedIOException e) {
            System.err.println("\nbench-proxy: FAILED: " + e);
            return 1;
        } catch (InterruptedException e) {
            System.err.println("\nbench-proxy: interrupted");
            return 1;
        } finally {
            if (work != null) {
                if (ok && !options.keepTemp()) {
                    deleteTree(work);
                } else {
                    System.err.println("bench-proxy: configs and logs kept in " + work);
                }
            }
        }
    }

    private static void preflight(BenchOptions options) {
        GatewayJars.check("gateway jar", options.gatewayJar(),
                "build it with 'make build' (or bin/mvn-jdk -q -B -DskipTests -pl gateway -am package)");
        options.baseline().ifPresent(b -> GatewayJars.check("baseline jar", b.jar(),
                "bin/bench-proxy --baseline-ref REF builds one"));
        for (String tool : List.of("wrk", "nginx")) {
            if (onPath(tool).isEmpty()) {
                throw new BenchFailure(tool + " not found on PATH: run 'make deps' (scripts/install-deps.sh)");
            }
        }
    }

    public static Optional<Path> onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/local/sbin";
        return Stream.of(path.split(":")).filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, tool)).filter(Files::isExecutable).findFirst();
    }

    private void run() throws IOException, InterruptedException {
        MachineInfo machine = MachineInfo.probe();
        say("machine: %d cores, %s, %s RAM, %s; %s", machine.cores(), machine.cpuModel(), machine.memory(),
                machine.kernel(), machine.date());
        say("tools: %s; %s; %s", machine.jdk(), machine.wrkVersion(), machine.nginxVersion());
        say("plan: warm-up %d s gateway / %d s nginx, %d round(s) x %d s, wrk -t%d -c%d, body %d bytes, work dir %s",
                options.warmupSec(), options.nginxWarmupSec(), options.rounds(), options.durationSec(),
                options.threads(), options.connections(), options.bodyBytes(), work);

        List<Integer> ports = LocalHost.freePorts(13);
        int originDirect = ports.get(0), originForGateway = ports.get(1), originForNginx = ports.get(2);
        int gatewayPort = ports.get(3), adminPort = ports.get(4), nginxPort = ports.get(5);
        // the baseline gateway's own ports, so its connections to the origin can be told apart too
        int originForBaseline = ports.get(6), baselinePort = ports.get(7), baselineAdminPort = ports.get(8);
        // the tracing gateway's ports, and a port nothing listens on: its dead collector
        int originForTracing = ports.get(9), tracingPort = ports.get(10), tracingAdminPort = ports.get(11);
        int deadCollector = ports.get(12);
        List<Integer> originPorts = new ArrayList<>(List.of(originDirect, originForGateway, originForNginx));
        if (options.baseline().isPresent()) {
            originPorts.add(originForBaseline);
        }
        if (options.tracingDeadCollector().isPresent()) {
            originPorts.add(originForTracing);
        }

        Path originDir = work.resolve("origin");
        var origin = startNginx("origin", originDir, NginxConfigs.upstream(originDir, originPorts, body));
        String directUrl = "http://127.0.0.1:" + originDirect + "/";
        LocalHost.awaitServing("origin nginx", directUrl, body, origin, Duration.ofSeconds(20));

        Path proxyDir = work.resolve("nginx-proxy");
        var proxy = startNginx("nginx-proxy", proxyDir, NginxConfigs.reverseProxy(proxyDir,
                Runtime.getRuntime().availableProcessors(), nginxPort, originForNginx));
        String nginxUrl = "http://127.0.0.1:" + nginxPort + "/";
        LocalHost.awaitServing("nginx proxy", nginxUrl, body, proxy, Duration.ofSeconds(20));

        var gateway = startGateway(BenchReport.CURRENT, options.gatewayJar(), gatewayPort, adminPort, originForGateway);
        String gatewayUrl = "http://127.0.0.1:" + gatewayPort + "/";
        LocalHost.awaitServing("Loomgate node", gatewayUrl, body, gateway, Duration.ofSeconds(90));
        String metricsUrl = "http://127.0.0.1:" + adminPort + "/metrics";
        if (GatewayMetrics.scrape(metricsUrl, GatewayMetrics.UPSTREAM_OPENED).isEmpty()) {
            say("warning: %s has no %s: connection churn is shown by TIME_WAIT counts only",
                    metricsUrl, GatewayMetrics.UPSTREAM_OPENED);
        }
        say("started: origin :%d/:%d/:%d, Loomgate :%d (admin :%d, %s), nginx proxy :%d (%d workers)",
                originDirect, originForGateway, originForNginx, gatewayPort, adminPort,
                String.join(" ", options.gatewayJvmOpts()), nginxPort, Runtime.getRuntime().availableProcessors());

        List<Target> targets = new ArrayList<>(List.of(
                new Target("direct", "wrk -> origin nginx (1 worker)", directUrl, origin, originDirect, Optional.empty()),
                new Target(BenchReport.CURRENT, "wrk -> Loomgate node -> origin", gatewayUrl, gateway, originForGateway,
                        Optional.of(metricsUrl)),
                new Target("nginx", "wrk -> nginx proxy (keepalive 64) -> origin", nginxUrl, proxy, originForNginx,
                        Optional.empty())));
        if (options.baseline().isPresent()) {
            BenchOptions.Baseline b = options.baseline().get();
            var baseline = startGateway(BenchReport.BASELINE, b.jar(), baselinePort, baselineAdminPort, originForBaseline);
            String baselineUrl = "http://127.0.0.1:" + baselinePort + "/";
            LocalHost.awaitServing("baseline Loomgate node", baselineUrl, body, baseline, Duration.ofSeconds(90));
            say("started: baseline Loomgate %s :%d (admin :%d), origin :%d", b.label(), baselinePort,
                    baselineAdminPort, originForBaseline);
            targets.add(new Target(BenchReport.BASELINE, "wrk -> baseline Loomgate node (" + b.label() + ") -> origin",
                    baselineUrl, baseline, originForBaseline,
                    Optional.of("http://127.0.0.1:" + baselineAdminPort + "/metrics")));
        }
        if (options.tracingDeadCollector().isPresent()) {
            String tracing = "tracing: { endpoint: \"http://127.0.0.1:%d/v1/traces\", sample-ratio: %s }\n"
                    .formatted(deadCollector, options.tracingDeadCollector().get());
            var traced = startGateway(BenchReport.TRACING, options.gatewayJar(), tracingPort, tracingAdminPort,
                    originForTracing, tracing);
            String tracedUrl = "http://127.0.0.1:" + tracingPort + "/";
            LocalHost.awaitServing("tracing Loomgate node", tracedUrl, body, traced, Duration.ofSeconds(90));
            say("started: Loomgate with tracing on (sample-ratio %s, collector :%d refuses) :%d (admin :%d), origin :%d",
                    options.tracingDeadCollector().get(), deadCollector, tracingPort, tracingAdminPort, originForTracing);
            targets.add(new Target(BenchReport.TRACING, "wrk -> Loomgate node, tracing on, collector down -> origin",
                    tracedUrl, traced, originForTracing, Optional.of("http://127.0.0.1:" + tracingAdminPort + "/metrics")));
        }
        Wrk wrk = new Wrk(processes, work, options.threads(), options.connections());
        int width = targets.stream().mapToInt(t -> t.name().length()).max().orElse(8);

        Map<String, Long> warmupOpened = new HashMap<>();
        for (Target t : targets) {
            boolean gatewayTarget = t.metricsUrl().isPresent();
            int seconds = gatewayTarget ? options.warmupSec() : options.nginxWarmupSec();
            if (seconds == 0) {
                continue;
            }
            Optional<Long> openedBefore = t.metricsUrl().flatMap(u -> GatewayMetrics.scrape(u, GatewayMetrics.UPSTREAM_OPENED));
            say("warm-up %-" + width + "s %3d s ...", t.name(), seconds);
            WrkResult r = wrk.run("warmup-" + t.name(), t.url(), seconds);
            t.checkAlive();
            say("warm-up %-" + width + "s done: %,.0f req/s, p99 %s", t.name(), r.requestsPerSec(),
                    BenchReport.latency(r.p99Micros()));
            t.metricsUrl().flatMap(u -> GatewayMetrics.scrape(u, GatewayMetrics.UPSTREAM_OPENED))
                    .flatMap(a -> openedBefore.map(b -> a - b))
                    .ifPresent(opened -> warmupOpened.put(t.name(), opened));
        }

        List<Measurement> measurements = new ArrayList<>();
        for (int round = 1; round <= options.rounds(); round++) {
            for (int i = 0; i < targets.size(); i++) {
                // rotate the order each round so no target always runs right after the gateway's GC or JIT
                Target t = targets.get((i + round - 1) % targets.size());
                Measurement m = measure(wrk, t, round);
                measurements.add(m);
                say("round %d/%d %-" + width + "s %,10.0f req/s  p50 %8s  p99 %8s  cpu %5.1f us/req%s  (load %s)",
                        round, options.rounds(), t.name(), m.wrk().requestsPerSec(),
                        BenchReport.latency(m.wrk().p50Micros()), BenchReport.latency(m.wrk().p99Micros()),
                        m.cpuMicrosPerRequest(), churn(m), m.loadAverage());
            }
        }
        if (options.abRequests() > 0) {
            abRuns(targets.stream().filter(t -> !t.name().equals(BenchReport.BASELINE)
                    && !t.name().equals(BenchReport.TRACING)).toList());
        }
        BenchReport report = new BenchReport(machine, options,
                targets.stream().map(t -> new BenchReport.Subject(t.name(), t.description())).toList(),
                measurements, warmupOpened);
        System.out.println();
        System.out.println(report.text());
        List<Path> written = report.write(options.outDir());
        say("reports: %s", String.join(", ", written.stream().map(Path::toString).toList()));
    }

    /** ab -k and ab without keep-alive against each target, after the wrk rounds; prints and writes ab-*.{json,md}. */
    private void abRuns(List<Target> targets) throws IOException, InterruptedException {
        if (onPath("ab").isEmpty()) {
            throw new BenchFailure("ab not found on PATH: run 'make deps' (scripts/install-deps.sh installs apache2-utils)");
        }
        Ab ab = new Ab(processes, work);
        int c = options.connections();
        List<AbReport.Row> rows = new ArrayList<>();
        for (boolean keepAlive : List.of(true, false)) {
            int n = keepAlive ? options.abRequests() : Math.max(c, options.abRequests() / 4);
            for (Target t : targets) {
                t.checkAlive();
                AbResult r = ab.run((keepAlive ? "k-" : "close-") + t.name(), t.url(), n, c, keepAlive);
                t.checkAlive();
                rows.add(new AbReport.Row(t.name(), keepAlive, r));
                say("ab%s -n %d -c %d %-10s %,10.0f req/s  p50 %d ms  p99 %d ms", keepAlive ? " -k" : "   ", n, c,
                        t.name(), r.requestsPerSec(), r.p50Millis(), r.p99Millis());
            }
        }
        AbReport report = new AbReport("ab -k -n %d and ab -n %d (no keep-alive), -c %d, body %d bytes"
                .formatted(options.abRequests(), Math.max(c, options.abRequests() / 4), c, options.bodyBytes()), rows);
        System.out.println();
        System.out.print(report.text());
        say("ab reports: %s", String.join(", ", ReportFiles.write(options.outDir(), "ab", report.json(),
                report.markdown()).stream().map(Path::toString).toList()));
    }

    private Measurement measure(Wrk wrk, Target t, int round) throws IOException, InterruptedException {
        t.checkAlive();
        String load = MachineInfo.loadAverage();
        Optional<Long> openedBefore = t.metricsUrl().flatMap(u -> GatewayMetrics.scrape(u, GatewayMetrics.UPSTREAM_OPENED));
        Optional<Integer> twBefore = LocalHost.timeWaitTo(t.originPort());
        long cpuBefore = t.cpuNanos();
        WrkResult r = wrk.run("r" + round + "-" + t.name(), t.url(), options.durationSec());
        long cpu = t.cpuNanos() - cpuBefore;
        Optional<Integer> twAfter = LocalHost.timeWaitTo(t.originPort());
        Optional<Long> openedAfter = t.metricsUrl().flatMap(u -> GatewayMetrics.scrape(u, GatewayMetrics.UPSTREAM_OPENED));
        t.checkAlive();
        Optional<Long> opened = openedAfter.flatMap(a -> openedBefore.map(b -> a - b));
        return new Measurement(t.name(), round, r, cpu / 1000.0 / r.requests(), opened, twBefore, twAfter, load);
    }

    private static String churn(Measurement m) {
        StringBuilder sb = new StringBuilder();
        m.upstreamOpened().ifPresent(o -> sb.append("  upstream conns opened +").append(o));
        if (!m.target().equals("direct")) {
            m.timeWaitAfter().ifPresent(tw -> sb.append("  TIME_WAIT->origin ").append(tw));
        }
        return sb.toString();
    }

    private ManagedProcesses.Started startNginx(String name, Path dir, String config) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, config);
        String nginx = onPath("nginx").orElseThrow().toString();
        // -p: temp paths under our dir; -e: the startup error log too (not /var/log/nginx)
        return processes.start(name, List.of(nginx, "-p", dir.toString(), "-c", conf.toString(),
                "-e", dir.resolve("error.log").toString()), dir, work.resolve(name + ".log"));
    }

    /** Starts a gateway node from {@code jar}; every gateway gets the same config and JVM options, only ports differ. */
    private ManagedProcesses.Started startGateway(String name, Path jar, int port, int adminPort, int originPort)
            throws IOException {
        return startGateway(name, jar, port, adminPort, originPort, "");
    }

    /** @param extraConfig more node config lines (the tracing target's {@code tracing:} block) */
    private ManagedProcesses.Started startGateway(String name, Path jar, int port, int adminPort, int originPort,
                                                  String extraConfig) throws IOException {
        Path routes = work.resolve(name + "-routes.yaml");
        Files.writeString(routes, """
                upstreams:
                  - name: origin
                    endpoints: [ 127.0.0.1:%d ]
                routes:
                  - id: all
                    upstream: origin
                    match: { path-prefix: / }
                """.formatted(originPort));
        Path config = work.resolve(name + ".yaml");
        Files.writeString(config, """
                node: { id: %s, host: 127.0.0.1, port: %d, admin-host: 127.0.0.1, admin-port: %d }
                routes-file: %s
                access-log: off
                upstream: { max-connections-per-endpoint: 256 }
                """.formatted(name, port, adminPort, routes) + extraConfig);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(options.gatewayJvmOpts());
        cmd.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));
        return processes.start(name, cmd, work, work.resolve(name + ".log"));
    }

    public static void say(String format, Object... args) {
        System.out.println("[bench] " + format.formatted(args));
        System.out.flush();
    }

    /** Removes a benchmark's temp dir (configs, logs, nginx temp paths); says so when it cannot. */
    public static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("bench-proxy: could not delete " + dir + ": " + e.getMessage());
        }
    }
}
