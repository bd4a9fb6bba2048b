package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.cluster.ClusterSpec;
import dev.loomgate.chaos.cluster.CommandResult;
import dev.loomgate.chaos.cluster.LocalCluster;
import dev.loomgate.chaos.cluster.ManagedProcess;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link LocalCluster} (issue 6) seen as a {@link ChaosCluster}. The paths are those of the launcher's demo routes
 * ({@code demo-routes.yaml}: {@code /} to the demo upstreams, {@code /limited} at 5 requests/s per route).
 */
final class LocalClusterAdapter implements ChaosCluster {
    private static final Pattern TOKEN = Pattern.compile("(?m)^\\s*admin-token:\\s*\"?([^\"\\s]+)\"?");
    private static final Pattern INET = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/");
    private final LocalCluster cluster;
    private final Map<ManagedProcess, Proc> wrappers = new IdentityHashMap<>();

    private LocalClusterAdapter(LocalCluster cluster) {
        this.cluster = cluster;
    }

    /** The launcher: loopback or namespace spec, repo root found from the working directory. */
    static ChaosCluster start(ClusterOptions options, Path workDir, Consumer<String> progress) throws IOException {
        Path root = ClusterSpec.findRepoRoot();
        ClusterSpec spec = options.mode() == ClusterMode.NAMESPACE ? ClusterSpec.netns(root)
                : ClusterSpec.loopback(root);
        // another cluster (a developer's make cluster, a test) may hold the default ports and namespaces
        spec = spec.withPortOffset(options.portOffset())
                .withNetnsPrefix(options.netnsPrefix().orElse(ClusterSpec.DEFAULT_NETNS_PREFIX));
        return new LocalClusterAdapter(LocalCluster.start(spec, workDir, progress));
    }

    private synchronized Proc wrap(ManagedProcess p) {
        return wrappers.computeIfAbsent(p, Proc::new);
    }

    private List<ClusterProcess> wrap(List<ManagedProcess> ps) {
        return ps.stream().map(p -> (ClusterProcess) wrap(p)).toList();
    }

    private static ManagedProcess unwrap(ClusterProcess p) {
        return ((Proc) p).process;
    }

    @Override
    public ClusterMode mode() {
        return cluster.spec().netnsMode() ? ClusterMode.NAMESPACE : ClusterMode.LOOPBACK;
    }

    @Override
    public URI frontUrl() {
        return URI.create(cluster.frontUrl());
    }

    @Override
    public List<ClusterProcess> gateways() {
        return wrap(cluster.gateways());
    }

    @Override
    public URI adminUrl(ClusterProcess gateway) {
        return URI.create(cluster.adminUrl(unwrap(gateway)));
    }

    @Override
    public List<ClusterProcess> lbs() {
        return wrap(cluster.lbs());
    }

    @Override
    public Optional<ClusterProcess> keepalived(ClusterProcess lb) {
        String host = unwrap(lb).host();
        return cluster.keepalived().stream().filter(k -> k.host().equals(host)).findFirst().map(this::wrap);
    }

    @Override
    public HaproxyStats haproxyStats(ClusterProcess lb) {
        return HaproxyStats.socket(cluster.haproxySocket(unwrap(lb).host()));
    }

    @Override
    public ClusterProcess redisMaster() {
        try {
            return wrap(cluster.redisMaster());
        } catch (IOException e) {
            throw new UncheckedIOException("asking Sentinel for the master: " + e.getMessage(), e);
        }
    }

    @Override
    public List<ClusterProcess> redisServers() {
        return wrap(cluster.redis());
    }

    @Override
    public List<ClusterProcess> sentinels() {
        return wrap(cluster.sentinels());
    }

    @Override
    public ClusterProcess consul() {
        return wrap(cluster.consul());
    }

    @Override
    public List<ClusterProcess> upstreams() {
        return wrap(cluster.upstreams());
    }

    @Override
    public Map<String, URI> sagaParticipants() {
        return cluster.sagaDemo().map(dev.loomgate.chaos.cluster.SagaDemo::urls).orElse(Map.of());
    }

    @Override
    public Path logsDir() {
        return cluster.logsDir();
    }

    @Override
    public String routesDocument() {
        try {
            Path published = cluster.workDir().resolve("demo-routes.yaml");
            if (Files.isRegularFile(published)) {
                return Files.readString(published);
            }
            try (InputStream in = LocalCluster.class.getResourceAsStream("demo-routes.yaml")) {
                if (in == null) {
                    throw new IllegalStateException("no demo-routes.yaml in " + cluster.workDir() + " nor as resource");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void publishRoutes(Path yaml) throws IOException {
        cluster.publishRoutes(yaml);
    }

    @Override
    public RoutesPush pushRoutes(Path yaml, boolean force) throws IOException {
        var r = cluster.pushRoutes(yaml, force);
        return new RoutesPush(r.exitCode(), r.output());
    }

    @Override
    public ClusterPaths paths() {
        return new ClusterPaths("/items", "/orders", "/limited", 5);
    }

    /** The nodes' admin token, read from a rendered gateway.yaml (netns mode renders one; loopback none). */
    @Override
    public Map<String, String> adminHeaders() {
        if (cluster.gateways().isEmpty()) {
            return Map.of();
        }
        Path file = cluster.renderDir().resolve(cluster.gateways().getFirst().host()).resolve("gateway.yaml");
        try {
            Matcher m = TOKEN.matcher(Files.readString(file));
            return m.find() ? Map.of("Authorization", "Bearer " + m.group(1)) : Map.of();
        } catch (IOException e) {
            return Map.of();
        }
    }

    @Override
    public Optional<String> clientNamespace() {
        return cluster.clientNamespace();
    }

    @Override
    public HttpResult httpGet(URI uri, Map<String, String> requestHeaders) throws IOException {
        if (cluster.clientNamespace().isEmpty()) {
            return HttpResult.get(uri, requestHeaders);
        }
        var r = cluster.probes().get(cluster.clientNamespace(), uri.toString(), requestHeaders, Duration.ofSeconds(2));
        Map<String, String> headers = new java.util.HashMap<>();
        r.headers().forEach((k, v) -> {
            if (!v.isEmpty()) {
                headers.put(k, v.getFirst());
            }
        });
        return new HttpResult(r.status(), headers, r.body());
    }

    @Override
    public Optional<Monitoring> monitoring() {
        if (cluster.alertmanager() == null) {
            return Optional.empty();
        }
        return Optional.of(new Monitoring(URI.create(cluster.alertmanagerUrl()), cluster.prometheusConfig()));
    }

    @Override
    public Optional<NetworkControl> network() {
        if (!cluster.spec().netnsMode()) {
            return Optional.empty();
        }
        return Optional.of(new NetworkControl() {
            @Override
            public void linkDown(String host) throws IOException {
                cluster.linkDown(host);
            }

            @Override
            public void linkUp(String host) throws IOException {
                cluster.linkUp(host);
            }

            @Override
            public String run(String host, String... command) throws IOException {
                CommandResult r = cluster.run(host, command);
                if (r.exitCode() != 0) {
                    throw new IOException("'" + String.join(" ", command) + "' in " + host + " failed (exit "
                            + r.exitCode() + "): " + r.output().strip());
                }
                return r.output();
            }

            @Override
            public String address(String host) {
                try {
                    Matcher m = INET.matcher(run(host, "ip", "-4", "-o", "addr", "show", "dev", "eth0"));
                    if (!m.find()) {
                        throw new IllegalStateException("no IPv4 address on eth0 in " + host);
                    }
                    return m.group(1);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public String namespace(String host) {
                return cluster.netns(host);
            }

            @Override
            public String hostOf(ClusterProcess process) {
                return unwrap(process).host();
            }
        });
    }

    @Override
    public String notReadyReason() {
        return cluster.notReadyReason();
    }

    @Override
    public void close() {
        cluster.close();
    }

    /** A launcher process as a {@link ClusterProcess}. */
    private static final class Proc implements ClusterProcess {
        private final ManagedProcess process;

        Proc(ManagedProcess process) {
            this.process = process;
        }

        @Override
        public String name() {
            return process.name();
        }

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public boolean alive() {
            return process.alive();
        }

        @Override
        public void kill9() {
            process.kill9();
        }

        @Override
        public void sigterm() {
            process.sigterm();
        }

        @Override
        public void sigstop() {
            process.sigstop();
        }

        @Override
        public void sigcont() {
            process.sigcont();
        }

        @Override
        public void restart() {
            try {
                process.restart();
            } catch (IOException e) {
                throw new UncheckedIOException("restarting " + process.name() + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void awaitReady(Duration timeout) {
            process.awaitReady(timeout);
        }

        @Override
        public Path log() {
            return process.log();
        }

        @Override
        public String toString() {
            return process.toString();
        }
    }
}
