package dev.loomgate.gateway.testing;

import dev.loomgate.testsupport.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A gateway node in its own JVM (for heap caps and real signals), launched from the test
 * classpath. It binds port 0 for both listeners and the test reads the ports it got from its
 * "ready" log line, so no port is probed first and handed over (another process could take it in
 * between). Always stopped by {@link #close()}.
 */
public final class GatewayProcess implements AutoCloseable {
    /** GatewayNode's start line: "node child ready: proxy on 127.0.0.1:41234, admin on 127.0.0.1:41235, ...". */
    private static final Pattern READY = Pattern.compile("ready: proxy on [^:\\s]+:(\\d+), admin on [^:\\s]+:(\\d+)");
    private final Process process;
    private final Path log;
    private int port;
    private int adminPort;

    private GatewayProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static GatewayProcess start(Path dir, String routesYaml, String extraConfig, String... jvmArgs) throws Exception {
        Files.writeString(dir.resolve("routes.yaml"), routesYaml);
        Files.writeString(dir.resolve("gateway.yaml"), """
                node: { id: child, host: 127.0.0.1, port: 0, admin-host: 127.0.0.1, admin-port: 0 }
                routes-file: routes.yaml
                %s
                """.formatted(extraConfig));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.loomgate.gateway.Main",
                "--config", dir.resolve("gateway.yaml").toString()));
        Path log = dir.resolve("gateway.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        GatewayProcess g = new GatewayProcess(p, log);
        try {
            g.awaitReady(Duration.ofSeconds(30));
        } catch (RuntimeException | Error e) {
            g.close();
            throw e;
        }
        return g;
    }

    /** Waits for the ready line (the node logs it once both listeners are bound), then for /health/ready. */
    private void awaitReady(Duration timeout) {
        Matcher ready = Await.value("the gateway's ready line in " + log, timeout, () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("gateway exited with " + process.exitValue() + ":\n" + logOrEmpty());
            }
            return READY.matcher(logOrEmpty());
        }, Matcher::find);
        port = Integer.parseInt(ready.group(1));
        adminPort = Integer.parseInt(ready.group(2));
        Await.until("GET /health/ready to answer 200 on admin port " + adminPort, timeout, () -> {
            try {
                return TestGateway.http().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + adminPort + "/health/ready")).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        });
    }

    private String logOrEmpty() {
        try {
            return log();
        } catch (IOException e) {
            return "";
        }
    }

    public int port() {
        return port;
    }

    public int adminPort() {
        return adminPort;
    }

    public Process process() {
        return process;
    }

    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Sends SIGTERM and waits for the exit code. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy(); // SIGTERM
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("gateway did not stop within " + timeout);
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
