package dev.loomgate.loadtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The processes of one benchmark run on loopback: nginx instances and gateway nodes started from configs written
 * into a temporary work dir, all stopped on {@link #close()} (and on Ctrl-C); the dir is removed after a
 * successful run unless kept. Shared by the latency, memory, scale, rate-limit, async, cache and session
 * benchmarks.
 */
public final class BenchBed implements AutoCloseable {
    private final ManagedProcesses processes = new ManagedProcesses();
    private final Path work;
    private final boolean keep;
    private final String tool;
    private boolean ok;

    private BenchBed(Path work, boolean keep, String tool) {
        this.work = work;
        this.keep = keep;
        this.tool = tool;
    }

    /** A fresh work dir; {@code keep}: leave it after a successful run too. */
    public static BenchBed create(String prefix, boolean keep) throws IOException {
        return create(prefix, keep, "bench");
    }

    /** As {@link #create(String, boolean)}; {@code tool} ("bench-cache") names the run in what it prints. */
    public static BenchBed create(String prefix, boolean keep, String tool) throws IOException {
        Path work = Files.createTempDirectory(prefix);
        // nginx workers run as 'nobody' when started by root: they must be able to enter the dir
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new BenchBed(work, keep, tool);
    }

    public Path work() {
        return work;
    }

    public ManagedProcesses processes() {
        return processes;
    }

    /** Marks the run as successful: {@link #close()} removes the work dir (unless kept). */
    public void succeeded() {
        ok = true;
    }

    /** Fails with a clear message unless every tool is on the PATH. */
    public static void requireTools(String... tools) {
        for (String tool : tools) {
            if (ProxyOverheadBenchmark.onPath(tool).isEmpty()) {
                throw new BenchFailure(tool + " not found on PATH: run 'make deps' (scripts/install-deps.sh)");
            }
        }
    }

    /** Starts nginx with {@code config} (which must use {@code dir} from {@link #dir(String)} for pid and logs). */
    public ManagedProcesses.Started nginx(String name, String config) throws IOException {
        Path dir = dir(name);
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, config);
        String nginx = ProxyOverheadBenchmark.onPath("nginx").orElseThrow().toString();
        return processes.start(name, List.of(nginx, "-p", dir.toString(), "-c", conf.toString(),
                "-e", dir.resolve("error.log").toString()), dir, work.resolve(name + ".log"));
    }

    /** The directory of process {@code name} (created, world-readable for nginx workers). */
    public Path dir(String name) throws IOException {
        Path dir = work.resolve(name);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    /**
     * Starts a gateway node from {@code jar} with {@code routesYaml} as its routes file.
     *
     * @param extraConfig more node config lines (front-door limits, upstream pool size)
     */
    public ManagedProcesses.Started gateway(String name, Path jar, List<String> jvmOpts, int port, int adminPort,
                                            String routesYaml, String extraConfig) throws IOException {
        Path routes = work.resolve(name + "-routes.yaml");
        Files.writeString(routes, routesYaml);
        Path config = work.resolve(name + ".yaml");
        Files.writeString(config, """
                node: { id: %s, host: 127.0.0.1, port: %d, admin-host: 127.0.0.1, admin-port: %d }
                routes-file: %s
                access-log: off
                """.formatted(name, port, adminPort, routes) + extraConfig);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOpts);
        // absolute: the node runs in the work dir, the jar may be given relative to the caller's
        cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "--config", config.toString()));
        return processes.start(name, cmd, work, work.resolve(name + ".log"));
    }

    /** What a benchmark does in its bed. */
    @FunctionalInterface
    public interface Body {
        void run(BenchBed bed) throws Exception;
    }

    /**
     * The frame of a benchmark of one gateway node with Redis and an nginx origin under wrk: fails clearly when
     * {@code jar} or a tool is missing, then runs {@code body} in a new bed named after {@code tool} ("bench-cache"),
     * marked succeeded when it returns (processes stopped; the work dir removed, or kept with a note after a failure).
     */
    public static void runGatewayBench(String tool, Path jar, Body body) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new BenchFailure(jar + " is missing: run `make build` first");
        }
        requireTools("wrk", "nginx", "redis-server");
        try (BenchBed bed = create("loomgate-" + tool + "-", false, tool)) {
            body.run(bed);
            bed.succeeded();
        }
    }

    /** The ports of {@link #redisAndOrigin()}: Redis and the origin listen; the node's two are free. */
    public record RedisOrigin(int redisPort, int originPort, int gatewayPort, int adminPort) {
    }

    /**
     * Starts redis-server and an nginx origin answering {@link NginxConfigs#OK_BODY}, each on a free port, waits until
     * both listen, and picks two more free ports for the gateway node under test.
     */
    public RedisOrigin redisAndOrigin() throws IOException, InterruptedException {
        List<Integer> ports = LocalHost.freePorts(4);
        RedisOrigin r = new RedisOrigin(ports.get(0), ports.get(1), ports.get(2), ports.get(3));
        redis(r.redisPort());
        ManagedProcesses.Started nginx = nginx("nginx",
                NginxConfigs.upstream(dir("nginx"), List.of(r.originPort()), NginxConfigs.OK_BODY));
        LocalHost.awaitListening("nginx", r.originPort(), nginx, Duration.ofSeconds(15));
        return r;
    }

    /** Starts redis-server on 127.0.0.1:{@code port} (no persistence, files in the work dir); waits until it listens. */
    public ManagedProcesses.Started redis(int port) throws IOException, InterruptedException {
        ManagedProcesses.Started redis = processes.start("redis", List.of("redis-server", "--port",
                Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir",
                work.toString()), work, work.resolve("redis.log"));
        LocalHost.awaitListening("redis-server", port, redis, Duration.ofSeconds(15));
        return redis;
    }

    /** Waits until {@code node}, admin API on {@code adminPort}, answers /health/ready with 200 (up to 30 s). */
    public static void awaitReady(String what, ManagedProcesses.Started node, int adminPort)
            throws InterruptedException {
        LocalHost.awaitServing(what, "http://127.0.0.1:" + adminPort + "/health/ready", r -> r.statusCode() == 200,
                node, Duration.ofSeconds(30));
    }

    /** A routes file: one upstream named {@code origin} with these endpoints, one prefix route to it. */
    public static String singleRoute(List<Integer> originPorts) {
        return """
                upstreams:
                  - name: origin
                    endpoints: [ %s ]
                routes:
                  - id: all
                    upstream: origin
                    match: { path-prefix: / }
                """.formatted(String.join(", ", originPorts.stream().map(p -> "127.0.0.1:" + p).toList()));
    }

    public void stop(ManagedProcesses.Started s) {
        processes.stop(s);
    }

    @Override
    public void close() {
        processes.close();
        if (ok && !keep) {
            try (Stream<Path> paths = Files.walk(work)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println(tool + ": could not delete " + work + ": " + e.getMessage());
            }
        } else {
            System.err.println(tool + ": configs and logs kept in " + work);
        }
    }
}
