package dev.loomgate.loadtests.gatling;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One gateway node (the built jar, -Xmx256m as a cluster node runs) in front of an nginx origin, both on
 * free loopback ports in a temporary dir, both stopped (by handle) and the dir removed on {@link #close()}.
 */
final class NodeEnvironment implements LoadEnvironment {
    private static final String BODY = "hello from the nginx origin\n";

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private String frontUrl = "";
    private GatewayNode node;

    private NodeEnvironment(Path dir) {
        this.dir = dir;
    }

    static NodeEnvironment start(Path root) throws IOException, InterruptedException {
        Path jar = root.resolve("gateway/target/loomgate-gateway.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IOException("no gateway jar at " + jar + ": build it with make build");
        }
        Path dir = Files.createTempDirectory("loomgate-load-node-");
        // nginx workers run as 'nobody' when started by root: they must be able to enter the dir
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        NodeEnvironment env = new NodeEnvironment(dir);
        Thread hook = new Thread(env::close, "load-stop-node");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            env.startAll(jar);
        } catch (IOException | InterruptedException | RuntimeException e) {
            env.close();
            throw e;
        } finally {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        return env;
    }

    private void startAll(Path jar) throws IOException, InterruptedException {
        int originPort = freePort();
        int port = freePort();
        int adminPort = freePort();
        Path nginxConf = dir.resolve("origin.conf");
        Files.writeString(nginxConf, """
                daemon off;
                master_process on;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 8192; }
                http {
                    access_log off;
                    keepalive_requests 1000000;
                    keepalive_timeout 300s;
                    server {
                        listen 127.0.0.1:%2$d backlog=4096;
                        default_type text/plain;
                        location / { return 200 "%3$s"; }
                    }
                }
                """.formatted(dir, originPort, BODY.replace("\n", "\\n")));
        Process nginx = start(List.of("nginx", "-p", dir.toString(), "-c", nginxConf.toString(), "-e",
                dir.resolve("error.log").toString()), "origin.log");
        String origin = "http://127.0.0.1:" + originPort + "/";
        if (!Http.await(() -> !nginx.isAlive() || Http.answers200(origin), Duration.ofSeconds(20))
                || !nginx.isAlive()) {
            throw new IOException("the nginx origin did not start:\n" + ClusterEnvironment.tail(dir.resolve("origin.log")));
        }
        Path routes = dir.resolve("routes.yaml");
        Files.writeString(routes, """
                upstreams:
                  - name: origin
                    endpoints: [ 127.0.0.1:%d ]
                routes:
                  - id: all
                    upstream: origin
                    match: { path-prefix: / }
                """.formatted(originPort));
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                node: { id: load-node, host: 127.0.0.1, port: %d, admin-host: 127.0.0.1, admin-port: %d }
                routes-file: %s
                access-log: off
                # Gatling is a whole client fleet on one address: the default per-client cap (256) would
                # answer 429 to it whenever responses slow down and its shared pool opens more connections
                front-door: { max-connections-per-client: 4096 }
                """.formatted(port, adminPort, routes));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process gateway = start(List.of(java, "-Xmx256m", "-XX:+UseParallelGC", "-jar", jar.toString(), "--config",
                config.toString()), "gateway.log");
        String admin = "http://127.0.0.1:" + adminPort;
        frontUrl = "http://127.0.0.1:" + port;
        if (!Http.await(() -> !gateway.isAlive() || Http.answers200(admin + "/health/ready"), Duration.ofSeconds(90))
                || !gateway.isAlive()) {
            throw new IOException("the gateway node did not become ready:\n"
                    + ClusterEnvironment.tail(dir.resolve("gateway.log")));
        }
        node = new GatewayNode("node", gateway.pid(), admin);
        LoadRun.say("started: nginx origin :%d, gateway node :%d (admin :%d, pid %d), dir %s", originPort, port,
                adminPort, gateway.pid(), dir);
    }

    private Process start(List<String> command, String log) throws IOException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(log).toFile()).start();
        processes.add(p);
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public String frontUrl() {
        return frontUrl;
    }

    @Override
    public List<GatewayNode> nodes() {
        return node == null ? List.of() : List.of(node);
    }

    @Override
    public String describe() {
        return "single gateway node " + frontUrl + " in front of an nginx origin (started by this run)";
    }

    @Override
    public synchronized void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // already removed
        }
    }
}
