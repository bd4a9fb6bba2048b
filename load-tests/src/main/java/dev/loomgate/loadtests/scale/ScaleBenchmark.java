package dev.loomgate.loadtests.scale;

import static dev.loomgate.loadtests.ProxyOverheadBenchmark.say;

import dev.loomgate.loadtests.BenchBed;
import dev.loomgate.loadtests.BenchFailure;
import dev.loomgate.loadtests.BenchReport;
import dev.loomgate.loadtests.LocalHost;
import dev.loomgate.loadtests.MachineInfo;
import dev.loomgate.loadtests.ManagedProcesses;
import dev.loomgate.loadtests.NginxConfigs;
import dev.loomgate.loadtests.ReportFiles;
import dev.loomgate.loadtests.Wrk;
import dev.loomgate.loadtests.WrkOutputParser;
import dev.loomgate.loadtests.WrkResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Scale curves: throughput and p99 of one Loomgate node and of nginx against route-table size, upstream
 * endpoints, client connections and response size. Run by {@code bin/bench-scale}; see {@link ScaleOptions#HELP}.
 */
public final class ScaleBenchmark {
    private final ScaleOptions options;
    private final BenchBed bed;
    private final List<ScaleReport.Point> points = new ArrayList<>();
    private final String body = NginxConfigs.body(100);
    private int done;
    private int total;

    private ScaleBenchmark(ScaleOptions options, BenchBed bed) {
        this.options = options;
        this.bed = bed;
    }

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("loomgate.root", ".")).toAbsolutePath().normalize();
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(ScaleOptions.HELP);
            return;
        }
        ScaleOptions options;
        try {
            options = ScaleOptions.parse(args, root);
        } catch (IllegalArgumentException e) {
            System.err.println("bench-scale: " + e.getMessage());
            System.exit(2);
            return;
        }
        int rc;
        try (BenchBed bed = BenchBed.create("loomgate-bench-scale-", options.keepTemp())) {
            BenchBed.requireTools("wrk", "nginx");
            ScaleReport report = new ScaleBenchmark(options, bed).run();
            System.out.println();
            System.out.print(report.text());
            say("reports: %s", String.join(", ", ReportFiles.write(options.outDir(), "scale", report.json(),
                    report.markdown()).stream().map(Path::toString).toList()));
            bed.succeeded();
            rc = 0;
        } catch (BenchFailure | WrkOutputParser.WrkParseException e) {
            System.err.println("\nbench-scale: FAILED: " + e.getMessage());
            rc = 1;
        } catch (IOException | UncheckedIOException e) {
            System.err.println("\nbench-scale: FAILED: " + e);
            rc = 1;
        } catch (InterruptedException e) {
            System.err.println("\nbench-scale: interrupted");
            rc = 1;
        }
        System.exit(rc);
    }

    private ScaleReport run() throws IOException, InterruptedException {
        MachineInfo m = MachineInfo.probe();
        String machine = "%d cores, %s, %s; %s; %s".formatted(m.cores(), m.cpuModel(), m.memory(), m.jdk(), m.date());
        List<String> dims = options.dimensions();
        int base = dims.contains("routes") ? options.routes().getFirst() : 10;
        List<Integer> tables = new ArrayList<>(List.of(base));
        if (dims.contains("routes")) {
            tables.addAll(options.routes().subList(1, options.routes().size()));
        }
        int targets = options.nginx() ? 2 : 1;
        total = targets * ((dims.contains("routes") ? options.routes().size() : 0)
                + (dims.contains("endpoints") ? options.endpoints().size() : 0)
                + (dims.contains("connections") ? options.connections().size() : 0)
                + (dims.contains("size") ? options.sizes().size() : 0));
        String setup = "wrk -t2, %d s per point; base point %d routes, 1 endpoint, 64 connections, 100 B; node JVM %s"
                .formatted(options.durationSec(), base, String.join(" ", options.gatewayJvmOpts()));
        say("machine: %s, load %s", machine, MachineInfo.loadAverage());
        say("plan: %d points (%s); %s", total, String.join(", ", dims), setup);

        List<Integer> endpointCounts = new ArrayList<>(List.of(1));
        if (dims.contains("endpoints")) {
            options.endpoints().stream().filter(n -> !endpointCounts.contains(n)).forEach(endpointCounts::add);
        }
        Collections.sort(endpointCounts);
        int maxEndpoints = endpointCounts.getLast();
        List<Integer> ports = LocalHost.freePorts(maxEndpoints + 3);
        List<Integer> originPorts = ports.subList(0, maxEndpoints);
        int gatewayPort = ports.get(maxEndpoints), adminPort = ports.get(maxEndpoints + 1), nginxPort = ports.get(maxEndpoints + 2);

        Path sizeRoot = bed.dir("files");
        Files.createDirectories(sizeRoot.resolve("size"));
        for (int size : options.sizes()) {
            Files.writeString(sizeRoot.resolve("size").resolve(Integer.toString(size)), NginxConfigs.body(size));
        }
        ManagedProcesses.Started origin = bed.nginx("origin", ScaleConfigs.origin(bed.dir("origin"), originPorts, body, sizeRoot));
        LocalHost.awaitServing("origin nginx", "http://127.0.0.1:" + originPorts.getFirst() + "/", body, origin,
                Duration.ofSeconds(20));
        int maxConnections = options.connections().getLast();

        for (int table : tables) {
            String extra = ("front-door: { max-connections: %d, max-connections-per-client: %d }\n"
                    + "upstream: { max-connections-per-endpoint: 256 }\n").formatted(Math.max(20000, maxConnections + 1000),
                    maxConnections + 500);
            say("starting Loomgate with %,d routes%s ...", table, options.nginx() ? " and nginx with the same" : "");
            ManagedProcesses.Started gateway = bed.gateway("loomgate-" + table, options.gatewayJar(),
                    options.gatewayJvmOpts(), gatewayPort, adminPort,
                    ScaleConfigs.gatewayRoutes(table, endpointCounts, originPorts), extra);
            String lgBase = "http://127.0.0.1:" + gatewayPort;
            LocalHost.awaitServing("Loomgate node (" + table + " routes)", lgBase + "/ep1/x", body, gateway, Duration.ofSeconds(180));
            ManagedProcesses.Started proxy = null;
            String ngBase = "http://127.0.0.1:" + nginxPort;
            if (options.nginx()) {
                proxy = bed.nginx("nginx-" + table, ScaleConfigs.proxy(bed.dir("nginx-" + table),
                        Runtime.getRuntime().availableProcessors(), nginxPort, table, endpointCounts, originPorts));
                LocalHost.awaitServing("nginx proxy (" + table + " routes)", ngBase + "/ep1/x", body, proxy, Duration.ofSeconds(30));
            }
            Wrk warm = new Wrk(bed.processes(), bed.work(), 2, 64);
            if (options.warmupSec() > 0) {
                // warm-up errors (a 10,000-route table on a busy machine can exceed wrk's 2 s timeout) are printed,
                // not fatal: the measured points report theirs
                say("warm-up Loomgate %d s ...", options.warmupSec());
                warmup(warm, "loomgate-" + table, lgBase + "/ep1/x", options.warmupSec());
                if (proxy != null) {
                    warmup(warm, "nginx-" + table, ngBase + "/ep1/x", Math.min(options.warmupSec(), 3));
                }
            }
            String last = ScaleConfigs.lastRoutePath(table, endpointCounts);
            if (dims.contains("routes")) {
                point("routes", table, 64, last, gateway, lgBase, proxy, ngBase);
            }
            if (table == base) {
                if (dims.contains("endpoints")) {
                    for (int n : options.endpoints()) {
                        point("endpoints", n, 64, "/ep" + n + "/x", gateway, lgBase, proxy, ngBase);
                    }
                }
                if (dims.contains("connections")) {
                    for (int c : options.connections()) {
                        point("connections", c, c, "/ep1/x", gateway, lgBase, proxy, ngBase);
                    }
                }
                if (dims.contains("size")) {
                    for (int s : options.sizes()) {
                        point("size", s, 64, "/size/" + s, gateway, lgBase, proxy, ngBase);
                    }
                }
            }
            bed.stop(gateway);
            if (proxy != null) {
                bed.stop(proxy);
            }
        }
        return new ScaleReport(machine, setup, points);
    }

    private static void warmup(Wrk wrk, String name, String url, int seconds) throws IOException, InterruptedException {
        WrkResult r = wrk.measure("warmup-" + name, url, seconds);
        say("warm-up %s: %,.0f req/s%s", name, r.requestsPerSec(), r.failures() > 0 ? ", " + r.failures() + " failed" : "");
    }

    private void point(String dimension, int value, int connections, String path, ManagedProcesses.Started gateway,
                       String lgBase, ManagedProcesses.Started proxy, String ngBase) throws IOException, InterruptedException {
        measure(dimension, value, connections, ScaleReport.LOOMGATE, gateway, lgBase + path);
        if (proxy != null) {
            measure(dimension, value, connections, ScaleReport.NGINX, proxy, ngBase + path);
        }
    }

    private void measure(String dimension, int value, int connections, String target, ManagedProcesses.Started server,
                         String url) throws IOException, InterruptedException {
        // a point starts on a server that answers again: after 10,000 connections closing, that can take a while
        String probe = url.substring(0, url.indexOf('/', "http://".length())) + "/ep1/x";
        long t0 = System.nanoTime();
        LocalHost.awaitServing(target + " before " + dimension + "=" + value, probe, body, server, Duration.ofSeconds(120));
        double waited = (System.nanoTime() - t0) / 1e9;
        if (waited > 1) {
            say("%s took %.1f s to answer again before %s=%s", target, waited, dimension, ScaleReport.label(dimension, value));
        }
        Wrk wrk = new Wrk(bed.processes(), bed.work(), 2, connections);
        WrkResult r = wrk.measure(dimension + "-" + value + "-" + target, url, options.durationSec());
        if (!server.process().isAlive()) {
            throw new BenchFailure(target + " exited at " + dimension + "=" + value + "; its log:\n" + server.logTail());
        }
        // a run that completed nothing counts as failed even when wrk saw no error (every request outlived it)
        long errors = r.requests() == 0 ? Math.max(1, r.failures()) : r.failures();
        points.add(new ScaleReport.Point(dimension, value, target, r.requestsPerSec(), r.p99Micros(), errors));
        say("[%d/%d] %-11s %8s %-8s %,10.0f req/s  p99 %9s%s  (load %s)", ++done, total, dimension,
                ScaleReport.label(dimension, value), target, r.requestsPerSec(), BenchReport.latency(r.p99Micros()),
                errors > 0 ? "  errors " + errors : "", MachineInfo.loadAverage());
    }
}
