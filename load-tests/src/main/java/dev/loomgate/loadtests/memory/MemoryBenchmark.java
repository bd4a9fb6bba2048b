package dev.loomgate.loadtests.memory;

import static dev.loomgate.loadtests.ProxyOverheadBenchmark.say;

import dev.loomgate.loadtests.BenchBed;
import dev.loomgate.loadtests.BenchFailure;
import dev.loomgate.loadtests.BenchReport;
import dev.loomgate.loadtests.LocalHost;
import dev.loomgate.loadtests.MachineInfo;
import dev.loomgate.loadtests.ManagedProcesses;
import dev.loomgate.loadtests.NginxConfigs;
import dev.loomgate.loadtests.ReportFiles;
import dev.loomgate.loadtests.openload.OpenLoad;
import dev.loomgate.loadtests.openload.OpenLoadResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Memory with many idle clients: RSS of one Loomgate node (and of nginx as a proxy) holding
 * {@link MemoryOptions#idleConnections()} idle keep-alive client connections beside a steady load.
 * Run by {@code bin/bench-memory}; see {@link MemoryOptions#HELP}.
 */
public final class MemoryBenchmark {
    private final MemoryOptions options;
    private final BenchBed bed;
    private final String body = NginxConfigs.body(100);
    private final List<String> notes = new ArrayList<>();

    private MemoryBenchmark(MemoryOptions options, BenchBed bed) {
        this.options = options;
        this.bed = bed;
    }

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("loomgate.root", ".")).toAbsolutePath().normalize();
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(MemoryOptions.HELP);
            return;
        }
        MemoryOptions options;
        try {
            options = MemoryOptions.parse(args, root);
        } catch (IllegalArgumentException e) {
            System.err.println("bench-memory: " + e.getMessage());
            System.exit(2);
            return;
        }
        int rc;
        try (BenchBed bed = BenchBed.create("loomgate-bench-memory-", options.keepTemp())) {
            BenchBed.requireTools("nginx");
            MemoryReport report = new MemoryBenchmark(options, bed).run();
            System.out.println();
            System.out.print(report.text());
            say("reports: %s", String.join(", ", ReportFiles.write(options.outDir(), "memory", report.json(),
                    report.markdown()).stream().map(Path::toString).toList()));
            rc = report.errors() > 0 ? 1 : 0;
            if (rc == 0) {
                bed.succeeded();
            }
        } catch (BenchFailure | IllegalStateException e) {
            System.err.println("\nbench-memory: FAILED: " + e.getMessage());
            rc = 1;
        } catch (IOException | UncheckedIOException e) {
            System.err.println("\nbench-memory: FAILED: " + e);
            rc = 1;
        } catch (InterruptedException e) {
            System.err.println("\nbench-memory: interrupted");
            rc = 1;
        }
        System.exit(rc);
    }

    private MemoryReport run() throws IOException, InterruptedException {
        MachineInfo m = MachineInfo.probe();
        String machine = "%d cores, %s, %s; %s; %s".formatted(m.cores(), m.cpuModel(), m.memory(), m.jdk(), m.date());
        String setup = "%,d idle keep-alive client connections from %d source addresses + steady %,.0f req/s for %d s; node JVM %s"
                .formatted(options.idleConnections(), options.sources(), options.rate(), options.durationSec(),
                        String.join(" ", options.gatewayJvmOpts()));
        say("machine: %s, load %s, open files limit %s", machine, MachineInfo.loadAverage(), openFilesLimit());
        say("plan: %s", setup);
        List<Integer> ports = LocalHost.freePorts(5);
        int originForGateway = ports.get(0), originForNginx = ports.get(1);
        int gatewayPort = ports.get(2), adminPort = ports.get(3), nginxPort = ports.get(4);

        ManagedProcesses.Started origin = bed.nginx("origin",
                NginxConfigs.upstream(bed.dir("origin"), List.of(originForGateway, originForNginx), body));
        LocalHost.awaitServing("origin nginx", "http://127.0.0.1:" + originForGateway + "/", body, origin,
                Duration.ofSeconds(20));
        int n = options.idleConnections();
        // the node's caps above the run's connections; idle clients outlive the run
        String frontDoor = "front-door: { max-connections: %d, max-connections-per-client: %d, keep-alive-timeout: %ds }\n"
                .formatted(n + 2000, n + 1000, options.durationSec() * 4 + 600);
        ManagedProcesses.Started gateway = bed.gateway("loomgate", options.gatewayJar(), options.gatewayJvmOpts(),
                gatewayPort, adminPort, BenchBed.singleRoute(List.of(originForGateway)), frontDoor);
        LocalHost.awaitServing("Loomgate node", "http://127.0.0.1:" + gatewayPort + "/", body, gateway,
                Duration.ofSeconds(90));
        say("started: Loomgate :%d with %s", gatewayPort, frontDoor.strip());
        List<MemoryReport.Row> rows = new ArrayList<>();
        rows.add(measure(MemoryReport.LOOMGATE, gateway, gatewayPort));
        bed.stop(gateway);
        if (options.nginx()) {
            String conf = NginxConfigs.common(bed.dir("nginx-proxy"), Runtime.getRuntime().availableProcessors(), n + 4096)
                    + """
                    http {
                        access_log off;
                        keepalive_requests 1000000;
                        keepalive_timeout %ds;
                        upstream origin { server 127.0.0.1:%d; keepalive 64; keepalive_requests 1000000; }
                        server {
                            listen 127.0.0.1:%d backlog=4096;
                            location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; }
                        }
                    }
                    """.formatted(options.durationSec() * 4 + 600, originForNginx, nginxPort);
            ManagedProcesses.Started proxy = bed.nginx("nginx-proxy", conf);
            LocalHost.awaitServing("nginx proxy", "http://127.0.0.1:" + nginxPort + "/", body, proxy, Duration.ofSeconds(20));
            rows.add(measure("nginx", proxy, nginxPort));
            bed.stop(proxy);
        }
        return new MemoryReport(machine, setup, rows, notes);
    }

    private MemoryReport.Row measure(String name, ManagedProcesses.Started server, int port)
            throws IOException, InterruptedException {
        ProcessHandle h = server.process().toHandle();
        say("%-8s warm-up: %,.0f req/s for 5 s ...", name, options.rate());
        OpenLoad.run(new OpenLoad.Plan(port, "/", options.rate(), Duration.ofSeconds(5), 16));
        long start = ProcessMemory.rssKib(h);
        say("%-8s RSS %s; opening %,d idle connections ...", name, MemoryReport.mib(start), options.idleConnections());
        try (IdleConnections idle = IdleConnections.open(port, options.idleConnections(), options.sources())) {
            long withIdle = ProcessMemory.rssKib(h);
            say("%-8s %,d open (%d failed%s), RSS %s", name, idle.opened(), idle.failed(),
                    idle.errorSamples().isEmpty() ? "" : ", e.g. " + idle.errorSamples().getFirst(),
                    MemoryReport.mib(withIdle));
            AtomicLong peak = new AtomicLong(withIdle);
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (sampling.get()) {
                    peak.accumulateAndGet(ProcessMemory.rssKib(h), Math::max);
                    try {
                        TimeUnit.MILLISECONDS.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            say("%-8s steady %,.0f req/s for %d s beside them ...", name, options.rate(), options.durationSec());
            OpenLoadResult load = OpenLoad.run(new OpenLoad.Plan(port, "/", options.rate(),
                    Duration.ofSeconds(options.durationSec()), 16));
            long probeFailed = idle.probe();
            if (options.nmt() && name.equals(MemoryReport.LOOMGATE)) {
                nativeMemorySummary(server);
            }
            sampling.set(false);
            sampler.interrupt();
            sampler.join(5000);
            peak.accumulateAndGet(ProcessMemory.rssKib(h), Math::max);
            if (!server.process().isAlive()) {
                throw new BenchFailure(name + " exited during the run; log:\n" + server.logTail());
            }
            say("%-8s load %,.0f req/s, %d errors, p99 %s; idle connections still answering: %,d of %,d; peak RSS %s",
                    name, load.achievedRate(), load.errors(), BenchReport.latency(load.latency().percentile(0.99)),
                    idle.opened() - probeFailed, idle.opened(), MemoryReport.mib(peak.get()));
            return new MemoryReport.Row(name, start, withIdle, peak.get(), idle.opened(), idle.failed(), probeFailed,
                    load.achievedRate(), load.errors(), load.latency().percentile(0.99));
        }
    }

    /** jcmd VM.native_memory summary of the node: where its committed memory is (heap, threads, GC, buffers). */
    private void nativeMemorySummary(ManagedProcesses.Started gateway) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(gateway.process().pid()),
                    "VM.native_memory", "summary", "scale=MB").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            out.lines().filter(l -> l.matches("^(Total|-\\s+[A-Za-z ]+\\().*") && l.contains("committed="))
                    .map(l -> "NMT " + l.strip().replaceAll("\\s+", " "))
                    .forEach(notes::add);
            // the heap's biggest classes with the idle connections still open: what a connection holds
            Process h = new ProcessBuilder(jcmd.toString(), Long.toString(gateway.process().pid()),
                    "GC.class_histogram").redirectErrorStream(true).start();
            String histogram = new String(h.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            h.waitFor(60, TimeUnit.SECONDS);
            histogram.lines().filter(l -> l.matches("^\\s*\\d+:\\s+\\d+\\s+\\d+\\s+.*")).limit(12)
                    .map(l -> "heap " + l.strip().replaceAll("\\s+", " ")).forEach(notes::add);
            notes.forEach(l -> say("%s", l));
        } catch (IOException | InterruptedException e) {
            notes.add("NMT: jcmd failed: " + e);
        }
    }

    private static String openFilesLimit() {
        try {
            return java.nio.file.Files.readAllLines(Path.of("/proc/self/limits")).stream()
                    .filter(l -> l.startsWith("Max open files")).map(l -> l.replaceAll("\\s+", " ").substring(15))
                    .findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
