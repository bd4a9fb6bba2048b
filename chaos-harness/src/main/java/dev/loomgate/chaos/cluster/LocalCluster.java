package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import dev.loomgate.chaos.cluster.ClusterLayout.Host;

/**
 * A whole Loomgate cluster on this machine, started from the files ansible/render.yml renders: the
 * Consul stand-in, two demo upstreams registered in Consul, Redis master + replica + 3 sentinels, N
 * gateway nodes, HAProxy (two + keepalived with a VIP in namespace mode), Prometheus with the Loomgate alert
 * rules and Alertmanager, a redis_exporter per Redis when installed. Every
 * process is tracked by PID and stopped by {@link #close()}, by a shutdown hook (Ctrl-C) and when
 * the start fails; namespace mode deletes its namespaces too.
 */
public final class LocalCluster implements AutoCloseable {
    static final String DEMO_SERVICE = "demo";
    private static final Duration READY = Duration.ofSeconds(60);
    /** A gateway node's JVM flags (its AOT cache is made with the same ones). */
    static final List<String> GATEWAY_JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmx256m");

    private final ClusterSpec spec;
    private final Path workDir;
    private final Consumer<String> progress;
    private Probes probes = new Probes();
    private Optional<BackendSecurity> backendSecurity = Optional.empty();
    private Optional<FrontSecurity> frontSecurity = Optional.empty();
    private final Optional<Namespaces> namespaces;
    /** Every process by role; stopped tier by tier by close(), the shutdown hook and a failed start. */
    private final ClusterProcesses procs = new ClusterProcesses();
    private final Thread shutdownHook;
    private ClusterLayout layout;
    private CentralLogs centralLogs;
    private volatile boolean closed;
    /** bin/loomgate against this cluster's Consul; set once Consul runs. */
    private ConsulCli cli;
    // the admin token the nodes require: random in namespace mode, on request in loopback mode
    private Optional<String> adminToken = Optional.empty();
    private Optional<Path> gatewayAotCache = Optional.empty();
    private Optional<SagaDemo> sagaDemo = Optional.empty();

    private LocalCluster(ClusterSpec spec, Path workDir, Consumer<String> progress) {
        this.spec = spec;
        this.workDir = workDir.toAbsolutePath();
        this.progress = progress;
        this.namespaces = spec.netnsMode() ? Optional.of(new Namespaces(spec.netnsPrefix(), progress)) : Optional.empty();
        this.shutdownHook = new Thread(() -> {
            if (!closed) {
                progress.accept("stopping the cluster (shutdown)...");
                stopAll();
            }
        }, "cluster-shutdown");
    }

    /**
     * Renders, starts and waits until the cluster is ready (every node ready, HAProxy sees all UP,
     * the front answers). On failure everything started is stopped before the exception propagates.
     */
    public static LocalCluster start(ClusterSpec spec, Path workDir, Consumer<String> progress) throws IOException {
        return start(new LocalCluster(spec, workDir, progress));
    }

    /**
     * As {@link #start(ClusterSpec, Path, Consumer)} with every node requiring {@code token} on its admin API
     * (namespace mode always makes up a random one; loopback mode has none unless asked this way).
     */
    public static LocalCluster startWithAdminToken(ClusterSpec spec, Path workDir, String token, Consumer<String> progress)
            throws IOException {
        LocalCluster c = new LocalCluster(spec, workDir, progress);
        c.adminToken = Optional.of(token);
        return start(c);
    }

    private static LocalCluster start(LocalCluster c) throws IOException {
        Consumer<String> progress = c.progress;
        Runtime.getRuntime().addShutdownHook(c.shutdownHook);
        try {
            c.startAll();
            return c;
        } catch (IOException | RuntimeException | Error e) {
            progress.accept("start failed: " + e.getMessage());
            c.close();
            throw e;
        }
    }

    private void startAll() throws IOException {
        long t0 = System.nanoTime();
        ClusterPreflight.prepareWorkDir(spec, workDir);
        if (spec.netnsMode()) {
            adminToken = Optional.of(ClusterPreflight.randomToken());
        }
        ClusterPreflight.Security security = ClusterPreflight.security(spec, workDir);
        backendSecurity = security.backends();
        frontSecurity = security.front();
        layout = AnsibleRender.render(spec, workDir, adminToken, security.ansibleVars(), progress);
        if (backendSecurity.isPresent()) {
            probes = ClusterPreflight.issueBackendCertificates(layout, backendSecurity.get(), progress);
        }
        if (frontSecurity.isPresent()) {
            frontSecurity.get().issueFrontCertificate(frontAddress());
            progress.accept("secure front: HAProxy terminates TLS on " + frontUrl() + " (plain HTTP redirected); "
                    + "/secure/jwt wants an RS256 token, /secure/key an API key");
        }
        // before any process runs: a training run (once per jar build) should not compete with the cluster
        gatewayAotCache = AotCache.ensure(Launcher.javaLauncher(), spec.gatewayJar(), GATEWAY_JVM_FLAGS, progress);
        progress.accept("rendered " + layout.hosts().size() + " hosts into " + layout.renderDir() + " ("
                + seconds(t0) + ")");
        if (namespaces.isPresent()) {
            HostNamespaces.create(namespaces.get(), layout);
        }
        Launcher launcher = new Launcher(workDir, progress, procs.started);
        ConsulStandin.start(layout, spec, backendSecurity, probes, launcher, procs, READY);
        cli = new ConsulCli(spec, consulUrl(), clientNamespace(), backendSecurity, progress);
        DemoUpstreams.start(layout, spec, probes, launcher, consulUrl(), procs.upstreams, READY);
        sagaDemo = Optional.of(SagaDemo.start(layout, spec.gatewayJar(), probes,
                a -> Launcher.java(a.toArray(String[]::new)), workDir, launcher, progress, READY));
        publishRoutes(ConsulCli.demoRoutes(workDir, sagaDemo, frontSecurity));
        RedisTier.start(layout, probes, launcher, procs.redis, procs.sentinels, READY);
        // the exporter reads the password from its environment (Debian's service: the env file)
        Map<String, String> exporterEnv = backendSecurity.map(b -> Map.of("REDIS_PASSWORD", b.redisPassword()))
                .orElse(Map.of());
        procs.redisExporters = RedisExporters.start(layout, probes, workDir, progress, launcher, READY, exporterEnv);
        GatewayProcesses.start(layout, spec, probes, launcher, gatewayAotCache, procs.gateways, READY);
        FrontTier.start(layout, spec, probes, launcher, procs.lbs, procs.keepalived, READY);
        Monitoring.start(layout, probes, launcher, procs, READY);
        centralLogs = CentralLogs.start(layout, workDir, progress, launcher, READY);
        ClusterReadiness.await(this::notReadyReason, READY);
        if (frontSecurity.isPresent()) {
            cli.createApiKey(frontSecurity.get());
        }
        progress.accept("ready in " + seconds(t0));
    }

    /** {@code http://host:port}, or {@code https://} with secure backends. */
    public String consulUrl() {
        return ConsulStandin.url(layout, probes);
    }

    /** The throwaway CA, passwords and tokens when the cluster runs with secure backends. */
    public Optional<BackendSecurity> backendSecurity() {
        return backendSecurity;
    }

    /** {@code bin/loomgate routes push FILE} against the cluster's Consul (from the client namespace in netns mode). */
    public void publishRoutes(Path yaml) throws IOException {
        cli.publishRoutes(yaml);
    }

    /**
     * Runs {@code loomgate routes push} and returns its exit code and output, whatever they are (0 written, 3 CAS
     * conflict, 4 Consul error: see LoomgateCli). {@code force} takes over a push left unfinished.
     */
    public CommandResult pushRoutes(Path yaml, boolean force) throws IOException {
        return cli.pushRoutes(yaml, force);
    }

    /** Empty when ready: every gateway ready, every HAProxy sees every node UP, the front answers. */
    public String notReadyReason() {
        return ClusterReadiness.notReadyReason(procs.gateways, layout, probes, clientNamespace(), this::frontUrl);
    }

    // ---- handles for the chaos scenarios ----

    /** The token the nodes' admin APIs require, if any. */
    public Optional<String> adminToken() {
        return adminToken;
    }

    /**
     * Where clients send requests: the loopback front port, or the VIP (reachable from {@link #clientNamespace()});
     * https on the TLS port with {@code --secure}, else plain HTTP. Port 443 (the VIP's) is left out, as in the
     * {@code Location} of HAProxy's redirect.
     */
    public String frontUrl() {
        return frontSecurity.map(f -> "https://" + frontAddress() + (f.tlsPort() == 443 ? "" : ":" + f.tlsPort()))
                .orElse(plainFrontUrl());
    }

    /** The plain HTTP front (with {@code --secure} it redirects to {@link #frontUrl()}). */
    public String plainFrontUrl() {
        return FrontTier.plainUrl(layout);
    }

    private String frontAddress() {
        return FrontTier.address(layout);
    }

    /** TLS at the front and the authenticated routes, with {@code --secure}. */
    public Optional<FrontSecurity> frontSecurity() {
        return frontSecurity;
    }

    /** Namespace clients run in (namespace mode): the front and every node are reachable only from inside. */
    public Optional<String> clientNamespace() {
        return layout.group("clients").stream().findFirst().flatMap(Host::netns);
    }

    public List<ManagedProcess> gateways() {
        return List.copyOf(procs.gateways);
    }

    /** HAProxy processes (lb1, lb2). */
    public List<ManagedProcess> lbs() {
        return List.copyOf(procs.lbs);
    }

    /** keepalived per LB (namespace mode; empty in loopback mode). */
    public List<ManagedProcess> keepalived() {
        return List.copyOf(procs.keepalived);
    }

    /** Redis master and replica(s). */
    public List<ManagedProcess> redis() {
        return List.copyOf(procs.redis);
    }

    /** The Redis process that the sentinels currently name as master. */
    public ManagedProcess redisMaster() throws IOException {
        return RedisTier.master(layout, probes, procs.redis, procs.sentinels);
    }

    /** The redis_exporter of each Redis (empty when prometheus-redis-exporter is not installed). */
    public List<ManagedProcess> redisExporters() {
        return List.copyOf(procs.redisExporters);
    }

    /** The /metrics URL of each running redis_exporter (reachable from the monitoring host). */
    public List<String> redisExporterMetricsUrls() {
        return procs.redisExporters.stream()
                .map(e -> "http://" + layout.host(e.host()).string("redis-exporter", "listen") + "/metrics").toList();
    }

    public List<ManagedProcess> sentinels() {
        return List.copyOf(procs.sentinels);
    }

    public ManagedProcess consul() {
        return procs.consul.orElse(null);
    }

    /** The saga participants and the place-order route (docs/SAGAS.md). */
    public Optional<SagaDemo> sagaDemo() {
        return sagaDemo;
    }

    public List<ManagedProcess> upstreams() {
        return List.copyOf(procs.upstreams);
    }

    public ManagedProcess prometheus() {
        return procs.prometheus.orElse(null);
    }

    public String prometheusUrl() {
        return Monitoring.prometheusUrl(layout);
    }

    public ManagedProcess alertmanager() {
        return procs.alertmanager.orElse(null);
    }

    /** Alertmanager's API and UI ({@code /api/v2/alerts} lists the alerts Prometheus sent). */
    public String alertmanagerUrl() {
        return Monitoring.alertmanagerUrl(layout);
    }

    /** The rendered prometheus.yml Prometheus runs with (scrape/evaluation intervals, rule files). */
    public Path prometheusConfig() {
        return Monitoring.config(layout);
    }

    /** HAProxy stats page of each LB. */
    public List<String> statsUrls() {
        return FrontTier.statsUrls(layout);
    }

    /** HAProxy runtime API socket of an LB (drain: {@code set server gateways/gw2 state drain}). */
    public Path haproxySocket(String lb) {
        return layout.host(lb).dir().resolve("haproxy.sock");
    }

    /** Proxy URL of one node (reachable from the node's namespace or the client namespace). */
    public String nodeUrl(ManagedProcess gateway) {
        Host h = layout.host(gateway.host());
        return "http://" + h.address() + ":" + h.port("gateway", "port");
    }

    public String adminUrl(ManagedProcess gateway) {
        Host h = layout.host(gateway.host());
        return "http://" + h.address() + ":" + h.port("gateway", "admin-port");
    }

    public Path logsDir() {
        return workDir.resolve("logs");
    }

    /**
     * The central log host's folder ({@code <node>.log}, {@code all.jsonl}) when the inventory ships logs with
     * rsyslog (namespace mode); empty otherwise.
     */
    public Optional<Path> centralLogDir() {
        return centralLogs == null ? Optional.empty() : centralLogs.centralDir();
    }

    /** The rsyslogd processes (central host first); empty when logs are not shipped. */
    public List<ManagedProcess> logShippers() {
        return centralLogs == null ? List.of() : centralLogs.daemons();
    }

    public Path workDir() {
        return workDir;
    }

    public Path renderDir() {
        return layout.renderDir();
    }

    public ClusterSpec spec() {
        return spec;
    }

    public Probes probes() {
        return probes;
    }

    /** Namespace of an inventory host (gw1, redis1, lb2, ...) or namespace short name (redis, client). */
    public String netns(String host) {
        requireNetns();
        return HostNamespaces.of(layout, spec.netnsPrefix(), host);
    }

    /** Takes the host's link down: no RST, packets vanish (a crashed or unplugged host). */
    public void linkDown(String host) throws IOException {
        requireNetns();
        namespaces.get().linkDown(netns(host));
    }

    public void linkUp(String host) throws IOException {
        requireNetns();
        namespaces.get().linkUp(netns(host));
    }

    /** Runs a command inside a host's namespace (tc qdisc ... netem, iptables -A INPUT ... -j DROP). */
    public CommandResult run(String host, String... cmd) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns(host)));
        argv.addAll(List.of(cmd));
        return CommandResult.run(argv, Duration.ofSeconds(30));
    }

    private void requireNetns() {
        if (namespaces.isEmpty()) {
            throw new UnsupportedOperationException("only in namespace mode (ClusterSpec.netns)");
        }
    }

    /** The summary printed once the cluster is ready; starts with "cluster ready". */
    public String summary() {
        return ClusterSummary.of(this, layout);
    }

    /** Stops every process (reverse start order, tier by tier) and deletes the namespaces. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running or ran
        }
    }

    private synchronized void stopAll() {
        if (closed) {
            return;
        }
        long t0 = System.nanoTime();
        procs.stopAll(workDir, namespaces.map(n -> spec.netnsPrefix()), this::drainWithoutQuietPeriod, progress);
        closed = true;
        progress.accept("cluster stopped in " + seconds(t0));
    }

    /**
     * Starts the node's drain with a 1 ms quiet period, so the SIGTERM that follows finds it stopping as soon as
     * nothing is in flight. The configured quiet period (5 s) is there for a load balancer to notice the failing
     * readiness; when the cluster stops, the load balancers are already gone. Best effort: TERM drains anyway.
     */
    private void drainWithoutQuietPeriod(ManagedProcess gateway) {
        if (!gateway.ready()) {
            return;
        }
        Map<String, String> headers = new java.util.HashMap<>(Map.of("X-Loomgate-Admin", "1"));
        adminToken.ifPresent(t -> headers.put("Authorization", "Bearer " + t));
        try {
            HttpResponse r = probes.post(layout.host(gateway.host()).netns(), adminUrl(gateway) + "/admin/drain",
                    "{\"timeout\": \"10s\", \"quiet-period\": \"1ms\"}", headers, Duration.ofSeconds(2));
            if (r.status() != 202) {
                progress.accept(gateway.name() + ": POST /admin/drain answered " + r.status() + " " + r.body().strip());
            }
        } catch (IOException e) {
            progress.accept(gateway.name() + ": POST /admin/drain failed (" + e.getMessage() + "): SIGTERM drains");
        }
    }

    /** Every process this cluster started (for tests: none may be alive after close). */
    public List<ManagedProcess> processes() {
        return List.copyOf(procs.started);
    }

    static String seconds(long t0) {
        return String.format(java.util.Locale.ROOT, "%.1f s", (System.nanoTime() - t0) / 1e9);
    }
}
