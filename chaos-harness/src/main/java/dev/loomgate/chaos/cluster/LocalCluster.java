package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    private final List<ManagedProcess> started = new ArrayList<>();
    private final Thread shutdownHook;
    private ClusterLayout layout;
    private ManagedProcess consul;
    private final List<ManagedProcess> upstreams = new ArrayList<>();
    private final List<ManagedProcess> redis = new ArrayList<>();
    private final List<ManagedProcess> sentinels = new ArrayList<>();
    private List<ManagedProcess> redisExporters = List.of();
    private final List<ManagedProcess> gateways = new ArrayList<>();
    private final List<ManagedProcess> lbs = new ArrayList<>();
    private final List<ManagedProcess> keepalived = new ArrayList<>();
    private ManagedProcess prometheus;
    private CentralLogs centralLogs;
    private ManagedProcess alertmanager;
    private volatile boolean closed;
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
        checkPrerequisites();
        if (Files.isDirectory(workDir.resolve("pids")) && !ClusterDown.pidFiles(workDir).isEmpty()) {
            throw new IOException("PID files in " + workDir.resolve("pids") + ": a cluster runs (or crashed) here; "
                    + "stop it first: bin/chaos cluster down --work " + workDir);
        }
        ClusterDown.wipe(workDir);
        Files.createDirectories(workDir.resolve("logs"));
        if (spec.netnsMode()) {
            adminToken = Optional.of(HexFormat.of().formatHex(randomBytes()));
        }
        if (spec.secureBackends()) {
            backendSecurity = Optional.of(BackendSecurity.create(workDir));
        }
        List<Path> vars = new ArrayList<>();
        if (backendSecurity.isPresent()) {
            vars.add(backendSecurity.get().ansibleVars());
        }
        if (spec.secureFront()) {
            // a certificate must exist for haproxy -c while rendering; it is issued again for the rendered address
            frontSecurity = Optional.of(FrontSecurity.create(backendSecurity.orElseThrow(), "127.0.0.1",
                    spec.netnsMode() ? 443 : 18443 + spec.portOffset()));
            vars.add(frontSecurity.get().ansibleVars());
        }
        layout = AnsibleRender.render(spec, workDir, adminToken, vars, progress);
        if (backendSecurity.isPresent()) {
            issueBackendCertificates(backendSecurity.get());
        }
        if (frontSecurity.isPresent()) {
            frontSecurity.get().issueFrontCertificate(frontAddress());
            progress.accept("secure front: HAProxy terminates TLS on " + frontUrl() + " (plain HTTP redirected); "
                    + "/secure/jwt wants an RS256 token, /secure/key an API key");
        }
        // before any process runs: a training run (once per jar build) should not compete with the cluster
        gatewayAotCache = AotCache.ensure(javaLauncher(), spec.gatewayJar(), GATEWAY_JVM_FLAGS, progress);
        progress.accept("rendered " + layout.hosts().size() + " hosts into " + layout.renderDir() + " ("
                + seconds(t0) + ")");
        if (namespaces.isPresent()) {
            createNamespaces();
        }
        startConsul();
        startUpstreams();
        sagaDemo = Optional.of(SagaDemo.start(layout, spec.gatewayJar(), probes, a -> java(a.toArray(String[]::new)),
                workDir, p -> {
                    started.add(p);
                    p.start();
                }, progress, READY));
        publishRoutes(demoRoutes());
        startRedis();
        // the exporter reads the password from its environment (Debian's service: the env file)
        Map<String, String> exporterEnv = backendSecurity.map(b -> Map.of("REDIS_PASSWORD", b.redisPassword()))
                .orElse(Map.of());
        redisExporters = RedisExporters.start(layout, probes, workDir, progress, p -> {
            started.add(p);
            p.start();
        }, READY, exporterEnv);
        startGateways();
        startLoadBalancers();
        startPrometheus();
        centralLogs = CentralLogs.start(layout, workDir, progress, p -> {
            started.add(p);
            p.start();
        }, READY);
        awaitClusterReady();
        if (frontSecurity.isPresent()) {
            createApiKey(frontSecurity.get());
        }
        progress.accept("ready in " + seconds(t0));
    }

    /** Certificates naming the addresses the rendered layout gives Redis/Sentinel and Consul; then TLS probes. */
    private void issueBackendCertificates(BackendSecurity security) throws IOException {
        Set<String> redisAddresses = new LinkedHashSet<>();
        layout.group("redis").forEach(h -> redisAddresses.add(h.address()));
        layout.group("sentinels").forEach(h -> redisAddresses.add(h.address()));
        security.issue("redis", redisAddresses);
        security.issue("consul", List.of(layout.group("consul").get(0).address()));
        probes = new Probes(security);
        progress.accept("secure backends: throwaway CA " + security.caFile() + "; Redis/Sentinel TLS-only with AUTH "
                + "(gateways as ACL user " + BackendSecurity.GATEWAY_USER + "), Consul HTTPS with an ACL token");
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private void checkPrerequisites() throws IOException {
        for (Path jar : List.of(spec.gatewayJar(), spec.consulJar())) {
            if (!Files.isRegularFile(jar)) {
                throw new IOException(jar + " is missing: build first (make build, or bin/chaos builds it)");
            }
        }
        if (spec.netnsMode() && !"0".equals(CommandResult.run(List.of("id", "-u"), Duration.ofSeconds(5)).output().strip())) {
            throw new IOException("namespace mode needs root (ip netns, keepalived); loopback mode does not");
        }
    }

    private void createNamespaces() throws IOException {
        Map<String, String> addresses = new LinkedHashMap<>();
        Set<String> lbNs = new LinkedHashSet<>();
        for (Host h : layout.hosts().values()) {
            String ns = h.netns().orElseThrow(() -> new IOException("host " + h.name() + " has no netns"));
            String before = addresses.putIfAbsent(ns, h.address());
            if (before != null && !before.equals(h.address())) {
                throw new IOException("namespace " + ns + " would need two addresses: " + before + ", " + h.address());
            }
            if (h.in("lbs")) {
                lbNs.add(ns);
            }
        }
        namespaces.get().create(addresses, lbNs);
    }

    private ManagedProcess process(String name, Host host, List<String> command, ManagedProcess.ReadyProbe probe,
                                   Runnable beforeStart) throws IOException {
        ManagedProcess p = new ManagedProcess(name, host.name(), host.netns(), command, Map.of(), workDir, probe,
                beforeStart, progress);
        started.add(p);
        p.start();
        return p;
    }

    private List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(javaLauncher().toString(),
                "-Xshare:auto", "-XX:+UseSerialGC", "-Xms32m"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Path javaLauncher() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** A node's command: with the gateway jar's AOT cache when there is one (it replaces -Xshare). */
    private List<String> gatewayJava(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaLauncher().toString());
        cmd.addAll(GATEWAY_JVM_FLAGS);
        cmd.add(gatewayAotCache.map(p -> "-XX:AOTCache=" + p).orElse("-Xshare:auto"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private void startConsul() throws IOException {
        Host h = layout.group("consul").get(0);
        int port = h.port("consul", "port");
        Path data = h.dir().resolve("data");
        List<String> cmd = java("-XX:TieredStopAtLevel=1", "-Xmx96m", "-jar", spec.consulJar().toString(),
                "--host", h.address(), "--port", Integer.toString(port), "--data-dir", data.toString());
        backendSecurity.ifPresent(b -> cmd.addAll(List.of("--tls-cert", b.consulCert().toString(), "--tls-key",
                b.consulKey().toString(), "--acl-management-token-file", b.consulTokenFile().toString())));
        consul = process(h.name(), h, cmd, () -> probes.ok(h.netns(), consulUrl() + "/v1/status/leader"), () -> { });
        consul.awaitReady(READY);
        progress.accept("consul stand-in ready on " + consulUrl());
    }

    private String consulAddress() {
        Host h = layout.group("consul").get(0);
        return h.address() + ":" + h.port("consul", "port");
    }

    /** {@code http://host:port}, or {@code https://} with secure backends. */
    public String consulUrl() {
        return probes.consulScheme() + "://" + consulAddress();
    }

    /** The throwaway CA, passwords and tokens when the cluster runs with secure backends. */
    public Optional<BackendSecurity> backendSecurity() {
        return backendSecurity;
    }

    private void startUpstreams() throws IOException {
        for (Host h : layout.group("upstreams")) {
            int port = h.port("upstream", "port");
            upstreams.add(process(h.name(), h, java("-XX:TieredStopAtLevel=1", "-Xmx64m", "-cp",
                    spec.gatewayJar().toString(), "dev.loomgate.gateway.demo.DemoUpstream", "--host", h.address(),
                    Integer.toString(port)), () -> probes.ok(h.netns(), "http://" + h.address() + ":" + port + "/"),
                    () -> { }));
        }
        for (ManagedProcess u : upstreams) {
            u.awaitReady(READY);
            Host h = layout.host(u.host());
            registerUpstream(h);
        }
        progress.accept("demo upstreams ready and registered in Consul as service '" + DEMO_SERVICE + "'");
    }

    /** DemoUpstream does not register itself: the launcher does, with an HTTP check Consul runs. */
    private void registerUpstream(Host h) throws IOException {
        int port = h.port("upstream", "port");
        String body = """
                {"ID": "%s", "Name": "%s", "Tags": ["%s"], "Address": "%s", "Port": %d,
                 "Check": {"HTTP": "http://%s:%d/", "Interval": "1s", "Timeout": "1s"}}"""
                .formatted(h.name(), DEMO_SERVICE, h.string("upstream", "name"), h.address(), port, h.address(), port);
        HttpResponse r = probes.put(h.netns(), consulUrl() + "/v1/agent/service/register", body);
        if (r.status() != 200) {
            throw new IOException("registering " + h.name() + " in Consul: HTTP " + r.status() + " " + r.body());
        }
    }

    private Path demoRoutes() throws IOException {
        Path out = workDir.resolve("demo-routes.yaml");
        try (var in = LocalCluster.class.getResourceAsStream("demo-routes.yaml")) {
            Files.copy(java.util.Objects.requireNonNull(in, "demo-routes.yaml resource"), out,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        if (sagaDemo.isPresent()) {
            Files.writeString(out, SagaDemo.withSagaRoutes(Files.readString(out), sagaDemo.get().addresses()));
        }
        if (frontSecurity.isPresent()) {
            Files.writeString(out, frontSecurity.get().routes(), java.nio.file.StandardOpenOption.APPEND);
        }
        return out;
    }

    /** {@code bin/loomgate routes push FILE} against the cluster's Consul (from the client namespace in netns mode). */
    public void publishRoutes(Path yaml) throws IOException {
        String out = CommandResult.check(pushCommand(yaml, false), pushEnv(), Duration.ofSeconds(60));
        progress.accept("routes pushed to Consul KV: " + out.strip().replace('\n', ' '));
    }

    /**
     * Runs {@code loomgate routes push} and returns its exit code and output, whatever they are (0 written, 3 CAS
     * conflict, 4 Consul error: see LoomgateCli). {@code force} takes over a push left unfinished.
     */
    public CommandResult pushRoutes(Path yaml, boolean force) throws IOException {
        return CommandResult.run(pushCommand(yaml, force), pushEnv(), Duration.ofSeconds(60));
    }

    /** {@code bin/loomgate keys create smoke-client}: the hash goes to Consul KV, the key (stdout) to the smoke check. */
    private void createApiKey(FrontSecurity front) throws IOException {
        List<String> cmd = new ArrayList<>();
        clientNamespace().ifPresent(ns -> cmd.addAll(List.of("ip", "netns", "exec", ns)));
        cmd.addAll(List.of(spec.repoRoot().resolve("bin/loomgate").toString(), "--consul", consulUrl()));
        backendSecurity.ifPresent(b -> cmd.addAll(List.of("--ca-file", b.caFile().toString())));
        cmd.addAll(List.of("keys", "create", "smoke-client", "--pepper-file", front.pepperFile().toString()));
        CommandResult r = CommandResult.run(cmd, pushEnv(), Duration.ofSeconds(60));
        String key = r.output().lines().map(String::strip).filter(l -> l.startsWith("lgk_")).findFirst().orElse("");
        if (r.exitCode() != 0 || key.isEmpty()) {
            throw new IOException("loomgate keys create failed (exit " + r.exitCode() + ")");
        }
        front.apiKey(key);
        progress.accept("API key for client 'smoke-client' created with `loomgate keys create` (hash in Consul KV)");
    }

    /** The CLI takes the Consul token from the environment, so it never shows in a process list. */
    private Map<String, String> pushEnv() {
        return backendSecurity.map(b -> Map.of("LOOMGATE_CONSUL_TOKEN", b.consulToken())).orElse(Map.of());
    }

    private List<String> pushCommand(Path yaml, boolean force) {
        List<String> cmd = new ArrayList<>();
        clientNamespace().ifPresent(ns -> cmd.addAll(List.of("ip", "netns", "exec", ns)));
        cmd.addAll(List.of(spec.repoRoot().resolve("bin/loomgate").toString(), "--consul", consulUrl()));
        backendSecurity.ifPresent(b -> cmd.addAll(List.of("--ca-file", b.caFile().toString())));
        cmd.addAll(List.of("routes", "push"));
        if (force) {
            cmd.add("--force");
        }
        cmd.add(yaml.toAbsolutePath().toString());
        return cmd;
    }

    private void startRedis() throws IOException {
        for (Host h : layout.group("redis")) {
            Path conf = h.dir().resolve("redis.conf");
            int port = h.port("redis", "port");
            redis.add(process(h.name(), h, List.of("redis-server", conf.toString()),
                    () -> probes.redis(h.netns(), h.address(), port, "PING").equals(List.of("PONG")), () -> { }));
        }
        for (Host h : layout.group("sentinels")) {
            Path template = h.dir().resolve("sentinel.conf");
            Path copy = h.dir().resolve("sentinel-run.conf");
            int port = h.port("sentinel", "port");
            // Sentinel rewrites its config while it runs: every start gets a fresh copy of the rendered file.
            sentinels.add(process(h.name(), h, List.of("redis-sentinel", copy.toString()),
                    () -> probes.redis(h.netns(), h.address(), port, "SENTINEL", "get-master-addr-by-name",
                            "loomgate").size() == 2,
                    () -> {
                        try {
                            Files.copy(template, copy, StandardCopyOption.REPLACE_EXISTING);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }));
        }
        for (ManagedProcess p : redis) {
            p.awaitReady(READY);
        }
        for (ManagedProcess p : sentinels) {
            p.awaitReady(READY);
        }
        progress.accept("redis master + replica and " + sentinels.size() + " sentinels ready");
    }

    private void startGateways() throws IOException {
        for (Host h : layout.group("gateways")) {
            int admin = h.port("gateway", "admin-port");
            gateways.add(process(h.name(), h, gatewayJava("-jar", spec.gatewayJar().toString(), "--config",
                    h.dir().resolve("gateway.yaml").toString()),
                    () -> probes.ok(h.netns(), "http://" + h.address() + ":" + admin + "/health/ready"), () -> { }));
        }
        for (ManagedProcess g : gateways) {
            g.awaitReady(READY);
        }
        progress.accept(gateways.size() + " gateway nodes ready");
    }

    private void startLoadBalancers() throws IOException {
        for (Host h : layout.group("lbs")) {
            String stats = h.string("haproxy", "stats");
            lbs.add(process(h.name(), h, List.of("haproxy", "-f", h.dir().resolve("haproxy.cfg").toString(), "-db",
                    "-W", "-S", h.dir().resolve("master.sock").toString()),
                    () -> probes.ok(h.netns(), "http://" + stats + "/healthz"), () -> { }));
        }
        for (ManagedProcess lb : lbs) {
            lb.awaitReady(READY);
        }
        if (spec.netnsMode()) {
            for (Host h : layout.group("lbs")) {
                Path d = h.dir();
                // root namespace + net_namespace in the file: vrrp_track_process needs the process connector
                ManagedProcess k = new ManagedProcess("keepalived-" + h.name(), h.name(), Optional.empty(),
                        List.of("keepalived", "-n", "-l", "-D", "-f", d.resolve("keepalived.conf").toString(),
                                "-p", d.resolve("keepalived.pid").toString(), "-r", d.resolve("vrrp.pid").toString(),
                                "-c", d.resolve("checker.pid").toString()),
                        Map.of(), workDir, () -> true, () -> { }, progress);
                started.add(k);
                k.start();
                keepalived.add(k);
            }
        }
        progress.accept(lbs.size() + " HAProxy" + (keepalived.isEmpty() ? "" : " + keepalived") + " started");
    }

    private void startPrometheus() throws IOException {
        Host h = layout.group("monitoring").get(0);
        // Alertmanager first, so the first alert Prometheus sends has somewhere to go. One instance: no gossip port.
        int amPort = h.port("alertmanager", "port");
        alertmanager = process("alertmanager-" + h.name(), h, List.of("prometheus-alertmanager",
                "--config.file=" + h.dir().resolve("alertmanager.yml"),
                "--storage.path=" + h.dir().resolve("alertmanager-data"),
                "--web.listen-address=" + h.address() + ":" + amPort, "--cluster.listen-address="),
                () -> probes.ok(h.netns(), "http://" + h.address() + ":" + amPort + "/-/ready"), () -> { });
        alertmanager.awaitReady(READY);
        int port = h.port("prometheus", "port");
        prometheus = process("prometheus-" + h.name(), h, List.of("prometheus",
                "--config.file=" + prometheusConfig(), "--storage.tsdb.path=" + h.dir().resolve("data"),
                "--web.listen-address=" + h.address() + ":" + port),
                () -> probes.ok(h.netns(), "http://" + h.address() + ":" + port + "/-/ready"), () -> { });
        prometheus.awaitReady(READY);
    }

    private void awaitClusterReady() throws IOException {
        long deadline = System.nanoTime() + READY.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = notReadyReason();
            if (last.isEmpty()) {
                return;
            }
            ManagedProcess.sleep(200);
        }
        throw new IOException("cluster not ready after " + READY.toSeconds() + " s: " + last);
    }

    /** Empty when ready: every gateway ready, every HAProxy sees every node UP, the front answers. */
    public String notReadyReason() {
        for (ManagedProcess g : gateways) {
            if (!g.ready()) {
                return g.name() + " not ready";
            }
        }
        for (Host h : layout.group("lbs")) {
            try {
                Map<String, String> status = Probes.backendStatus(h.dir().resolve("haproxy.sock"), "gateways");
                if (status.size() != gateways.size() || !status.values().stream().allMatch(s -> s.equals("UP"))) {
                    return h.name() + " sees " + status;
                }
            } catch (IOException e) {
                return h.name() + " runtime API: " + e.getMessage();
            }
        }
        try {
            HttpResponse r = probes.get(clientNamespace(), frontUrl() + "/", Map.of(), Duration.ofSeconds(2));
            if (r.status() != 200) {
                return "front " + frontUrl() + " answers " + r.status();
            }
        } catch (IOException e) {
            return "front " + frontUrl() + ": " + e.getMessage();
        }
        return "";
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
        Host lb = layout.group("lbs").get(0);
        return "http://" + lb.string("haproxy", "frontend");
    }

    private String frontAddress() {
        String front = layout.group("lbs").get(0).string("haproxy", "frontend");
        return front.substring(0, front.lastIndexOf(':'));
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
        return List.copyOf(gateways);
    }

    /** HAProxy processes (lb1, lb2). */
    public List<ManagedProcess> lbs() {
        return List.copyOf(lbs);
    }

    /** keepalived per LB (namespace mode; empty in loopback mode). */
    public List<ManagedProcess> keepalived() {
        return List.copyOf(keepalived);
    }

    /** Redis master and replica(s). */
    public List<ManagedProcess> redis() {
        return List.copyOf(redis);
    }

    /** The Redis process that the sentinels currently name as master. */
    public ManagedProcess redisMaster() throws IOException {
        IOException last = null;
        for (ManagedProcess s : sentinels) {
            Host h = layout.host(s.host());
            try {
                List<String> addr = probes.redis(h.netns(), h.address(), h.port("sentinel", "port"), "SENTINEL",
                        "get-master-addr-by-name", "loomgate");
                for (ManagedProcess r : redis) {
                    Host rh = layout.host(r.host());
                    if (addr.size() == 2 && rh.address().equals(addr.get(0))
                            && Integer.toString(rh.port("redis", "port")).equals(addr.get(1))) {
                        return r;
                    }
                }
                last = new IOException("sentinel " + s.name() + " names " + addr + ", not one of this cluster's redis");
            } catch (IOException e) {
                last = e;
            }
        }
        throw last == null ? new IOException("no sentinel") : last;
    }

    /** The redis_exporter of each Redis (empty when prometheus-redis-exporter is not installed). */
    public List<ManagedProcess> redisExporters() {
        return List.copyOf(redisExporters);
    }

    /** The /metrics URL of each running redis_exporter (reachable from the monitoring host). */
    public List<String> redisExporterMetricsUrls() {
        return redisExporters.stream()
                .map(e -> "http://" + layout.host(e.host()).string("redis-exporter", "listen") + "/metrics").toList();
    }

    public List<ManagedProcess> sentinels() {
        return List.copyOf(sentinels);
    }

    public ManagedProcess consul() {
        return consul;
    }

    /** The saga participants and the place-order route (docs/SAGAS.md). */
    public Optional<SagaDemo> sagaDemo() {
        return sagaDemo;
    }

    public List<ManagedProcess> upstreams() {
        return List.copyOf(upstreams);
    }

    public ManagedProcess prometheus() {
        return prometheus;
    }

    public String prometheusUrl() {
        Host h = layout.group("monitoring").get(0);
        return "http://" + h.address() + ":" + h.port("prometheus", "port");
    }

    public ManagedProcess alertmanager() {
        return alertmanager;
    }

    /** Alertmanager's API and UI ({@code /api/v2/alerts} lists the alerts Prometheus sent). */
    public String alertmanagerUrl() {
        Host h = layout.group("monitoring").get(0);
        return "http://" + h.address() + ":" + h.port("alertmanager", "port");
    }

    /** The rendered prometheus.yml Prometheus runs with (scrape/evaluation intervals, rule files). */
    public Path prometheusConfig() {
        return layout.group("monitoring").get(0).dir().resolve("prometheus.yml");
    }

    /** HAProxy stats page of each LB. */
    public List<String> statsUrls() {
        return layout.group("lbs").stream().map(h -> "http://" + h.string("haproxy", "stats") + "/stats").toList();
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
        if (layout.hosts().containsKey(host)) {
            return layout.host(host).netns().orElseThrow();
        }
        String full = spec.netnsPrefix() + host;
        if (layout.hosts().values().stream().anyMatch(h -> h.netns().equals(Optional.of(full)))) {
            return full;
        }
        throw new IllegalArgumentException("no host or namespace '" + host + "'");
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
        StringBuilder s = new StringBuilder("cluster ready (" + (spec.netnsMode() ? "namespaces" : "loopback") + ", "
                + gateways.size() + " gateway nodes)\n");
        s.append("  front:       ").append(frontUrl());
        clientNamespace().ifPresent(ns -> s.append("   (from the client namespace: ip netns exec ").append(ns)
                .append(" curl ").append(backendSecurity.map(b -> "--cacert " + b.caFile() + " ").orElse(""))
                .append(frontUrl()).append("/demo)"));
        s.append('\n');
        for (ManagedProcess g : gateways) {
            Host h = layout.host(g.host());
            s.append(String.format("  %-12s %s  admin port %d (%s/health/ready)  pid %d%s%n", g.name() + ":",
                    nodeUrl(g), h.port("gateway", "admin-port"), adminUrl(g), g.pid(),
                    h.netns().map(ns -> "  netns " + ns).orElse("")));
        }
        for (int i = 0; i < lbs.size(); i++) {
            s.append("  haproxy:     ").append(statsUrls().get(i)).append("  (")
                    .append(lbs.get(i).name()).append(", runtime API ").append(haproxySocket(lbs.get(i).host()))
                    .append(")\n");
        }
        s.append("  prometheus:  ").append(prometheusUrl()).append("  (alerts: ").append(alertmanagerUrl())
                .append(")\n");
        if (!redisExporters.isEmpty()) {
            s.append("  redis:       exporters ").append(String.join(", ", redisExporterMetricsUrls()))
                    .append("  (Prometheus job redis)\n");
        }
        s.append("  consul:      ").append(consulUrl()).append("  (routes: bin/loomgate --consul ")
                .append(consulUrl()).append(backendSecurity.map(b -> " --ca-file " + b.caFile()
                        + " with LOOMGATE_CONSUL_TOKEN from " + b.consulTokenFile()).orElse("")).append(" routes status)\n");
        backendSecurity.ifPresent(b -> s.append("  backends:    Redis/Sentinel TLS-only + AUTH, Consul HTTPS + ACL token; CA ")
                .append(b.caFile()).append('\n'));
        s.append("  logs:        ").append(logsDir()).append("  (configs: ").append(renderDir()).append(")\n");
        centralLogDir().ifPresent(d -> s.append("  central log: ").append(d).append("  (<node>.log, all.jsonl)\n"));
        s.append("  try:         curl -i ").append(frontUrl()).append("/demo   ").append(frontUrl())
                .append("/limited (429 after 5/s cluster-wide)");
        sagaDemo.ifPresent(d -> s.append("\n  saga:        curl -i -X POST -d '{\"item\":\"book\",\"qty\":2}' ")
                .append(frontUrl()).append("/place-order  (participants ").append(d.addresses().values())
                .append(", GET /state)"));
        return s.toString();
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
        List<List<ManagedProcess>> tiers = new ArrayList<>();
        tiers.add(prometheus == null ? List.of() : List.of(prometheus));
        tiers.add(alertmanager == null ? List.of() : List.of(alertmanager));
        tiers.add(keepalived);
        tiers.add(lbs);
        tiers.add(gateways);
        tiers.add(sentinels);
        tiers.add(redisExporters);
        tiers.add(redis);
        tiers.add(upstreams);
        tiers.add(consul == null ? List.of() : List.of(consul));
        Set<ManagedProcess> tiered = new LinkedHashSet<>();
        tiers.forEach(tiered::addAll);
        List<ManagedProcess> rest = started.stream().filter(p -> !tiered.contains(p)).toList();
        tiers.add(0, rest);
        for (List<ManagedProcess> tier : tiers) {
            List<Thread> threads = new ArrayList<>();
            boolean gatewayTier = tier == gateways;
            for (ManagedProcess p : List.copyOf(tier)) {
                threads.add(Thread.ofVirtual().start(() -> {
                    if (gatewayTier) {
                        drainWithoutQuietPeriod(p);
                    }
                    p.stop(Duration.ofSeconds(12));
                }));
            }
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        // keepalived's children (VRRP, checker) and anything else a PID file still names
        ClusterDown.killFromPidFiles(workDir, progress);
        namespaces.ifPresent(n -> {
            List<String> deleted = Namespaces.deleteAll(spec.netnsPrefix());
            if (!deleted.isEmpty()) {
                progress.accept("deleted namespaces " + deleted);
            }
        });
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
        return List.copyOf(started);
    }

    static String seconds(long t0) {
        return String.format(java.util.Locale.ROOT, "%.1f s", (System.nanoTime() - t0) / 1e9);
    }
}
