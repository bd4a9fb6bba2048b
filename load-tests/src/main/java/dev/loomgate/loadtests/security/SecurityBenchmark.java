package dev.loomgate.loadtests.security;

import static dev.loomgate.loadtests.ProxyOverheadBenchmark.say;

import com.sun.net.httpserver.HttpServer;
import dev.loomgate.loadtests.BenchBed;
import dev.loomgate.loadtests.BenchFailure;
import dev.loomgate.loadtests.LocalHost;
import dev.loomgate.loadtests.MachineInfo;
import dev.loomgate.loadtests.ManagedProcesses;
import dev.loomgate.loadtests.NginxConfigs;
import dev.loomgate.loadtests.ReportFiles;
import dev.loomgate.loadtests.Wrk;
import dev.loomgate.loadtests.WrkOutputParser;
import dev.loomgate.loadtests.WrkResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The cost of security on the data path: a JWT-protected route against the same route without auth, and the node's
 * TLS listener against plain text beside nginx terminating TLS, all in one run. Run by {@code bin/bench-security};
 * see {@link SecurityOptions#HELP}.
 */
public final class SecurityBenchmark {
    static final String ISSUER = "https://idp.bench.loomgate.test", AUDIENCE = "bench-api";
    private final SecurityOptions options;
    private final BenchBed bed;

    private SecurityBenchmark(SecurityOptions options, BenchBed bed) {
        this.options = options;
        this.bed = bed;
    }

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("loomgate.root", ".")).toAbsolutePath().normalize();
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(SecurityOptions.HELP);
            return;
        }
        SecurityOptions options;
        try {
            options = SecurityOptions.parse(args, root);
        } catch (IllegalArgumentException e) {
            System.err.println("bench-security: " + e.getMessage());
            System.exit(2);
            return;
        }
        int rc;
        try (BenchBed bed = BenchBed.create("loomgate-bench-security-", options.keepTemp())) {
            BenchBed.requireTools("wrk", "nginx", "openssl");
            SecurityReport report = new SecurityBenchmark(options, bed).run();
            System.out.println();
            System.out.print(report.text());
            say("reports: %s", String.join(", ", ReportFiles.write(options.outDir(), "security", report.json(),
                    report.markdown()).stream().map(Path::toString).toList()));
            bed.succeeded();
            rc = 0;
        } catch (BenchFailure | WrkOutputParser.WrkParseException | IllegalStateException e) {
            System.err.println("\nbench-security: FAILED: " + e.getMessage());
            rc = 1;
        } catch (IOException | UncheckedIOException | GeneralSecurityException e) {
            System.err.println("\nbench-security: FAILED: " + e);
            rc = 1;
        } catch (InterruptedException e) {
            System.err.println("\nbench-security: interrupted");
            rc = 1;
        }
        System.exit(rc);
    }

    private SecurityReport run() throws IOException, InterruptedException, GeneralSecurityException {
        MachineInfo m = MachineInfo.probe();
        String machine = "%d cores, %s, %s; %s; %s".formatted(m.cores(), m.cpuModel(), m.memory(), m.jdk(), m.date());
        say("machine: %s, load %s", machine, MachineInfo.loadAverage());
        List<Integer> ports = LocalHost.freePorts(10);
        int originLoomgate = ports.get(0), originNginx = ports.get(1), originNginxTls = ports.get(2);
        int gatewayPort = ports.get(3), gatewayTlsPort = ports.get(4), adminPort = ports.get(5), tlsAdminPort = ports.get(9);
        int nginxPort = ports.get(6), nginxTlsPort = ports.get(7), jwksPort = ports.get(8);
        String body = NginxConfigs.body(100);

        Path keys = bed.dir("keys");
        Path cert = keys.resolve("server.crt"), key = keys.resolve("server.key");
        openssl(keys, cert, key);
        BenchKeys signing = BenchKeys.generate();
        String token = signing.token(ISSUER, AUDIENCE, "bench-client", Duration.ofHours(2));
        HttpServer jwks = serveJwks(jwksPort, signing.jwks());
        try {
            ManagedProcesses.Started origin = bed.nginx("origin",
                    NginxConfigs.upstream(bed.dir("origin"), List.of(originLoomgate, originNginx, originNginxTls), body));
            LocalHost.awaitServing("origin nginx", http(originLoomgate, "/"), body, origin, Duration.ofSeconds(20));
            int workers = Runtime.getRuntime().availableProcessors();
            ManagedProcesses.Started nginx = bed.nginx("nginx-proxy",
                    NginxConfigs.reverseProxy(bed.dir("nginx-proxy"), workers, nginxPort, originNginx));
            ManagedProcesses.Started nginxTls = bed.nginx("nginx-tls", NginxConfigs.reverseProxyTls(bed.dir("nginx-tls"),
                    workers, nginxTlsPort, originNginxTls, cert, key));
            String routes = GatewaySecurityConfig.routes(originLoomgate, jwksPort, ISSUER, AUDIENCE);
            ManagedProcesses.Started gateway = bed.gateway("loomgate", options.gatewayJar(), options.gatewayJvmOpts(),
                    gatewayPort, adminPort, routes, "");
            // the TLS listener replaces plain HTTP on a node's proxy port: a second node, idle while the first is measured
            ManagedProcesses.Started gatewayTls = bed.gateway("loomgate-tls", options.gatewayJar(),
                    options.gatewayJvmOpts(), gatewayTlsPort, tlsAdminPort, routes,
                    GatewaySecurityConfig.tlsListener(cert, key));
            HttpClient client = trusting(cert);
            LocalHost.awaitServing("nginx proxy", http(nginxPort, "/"), body, nginx, Duration.ofSeconds(20));
            awaitBody(client, "nginx TLS", "https://127.0.0.1:" + nginxTlsPort + "/", Map.of(), body, nginxTls);
            awaitBody(client, "Loomgate (open route)", http(gatewayPort, "/open/"), Map.of(), body, gateway);
            awaitBody(client, "Loomgate (JWT route)", http(gatewayPort, "/jwt/"), Map.of("Authorization", "Bearer " + token),
                    body, gateway);
            awaitBody(client, "Loomgate (TLS listener)", "https://127.0.0.1:" + gatewayTlsPort + "/open/", Map.of(), body,
                    gatewayTls);
            int status = client.send(HttpRequest.newBuilder(URI.create(http(gatewayPort, "/jwt/"))).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 401) {
                throw new BenchFailure("the JWT route answered " + status + " without a token: it is not protected");
            }
            say("started: origin, nginx :%d / TLS :%d, Loomgate :%d / TLS node :%d (%s), JWKS :%d", nginxPort, nginxTlsPort,
                    gatewayPort, gatewayTlsPort, String.join(" ", options.gatewayJvmOpts()), jwksPort);

            Map<String, Run> runs = new LinkedHashMap<>();
            runs.put(SecurityReport.OPEN, new Run(http(gatewayPort, "/open/"), List.of(), true));
            runs.put(SecurityReport.JWT, new Run(http(gatewayPort, "/jwt/"), List.of("Authorization: Bearer " + token), true));
            runs.put(SecurityReport.OPEN_WITH_TOKEN, new Run(http(gatewayPort, "/open/"),
                    List.of("Authorization: Bearer " + token), true));
            runs.put(SecurityReport.LOOMGATE_TLS, new Run("https://127.0.0.1:" + gatewayTlsPort + "/open/", List.of(), true));
            runs.put(SecurityReport.NGINX, new Run(http(nginxPort, "/"), List.of(), false));
            runs.put(SecurityReport.NGINX_TLS, new Run("https://127.0.0.1:" + nginxTlsPort + "/", List.of(), false));

            Wrk wrk = new Wrk(bed.processes(), bed.work(), 2, options.connections());
            for (var e : runs.entrySet()) {
                int s = e.getValue().gateway() ? options.warmupSec() : Math.min(options.warmupSec(), 5);
                if (s > 0) {
                    say("warm-up %-20s %d s ...", e.getKey(), s);
                    wrk.run("warmup-" + e.getKey(), e.getValue().url(), s, e.getValue().headers());
                }
            }
            Map<String, List<SecurityReport.Round>> rounds = new LinkedHashMap<>();
            List<String> order = new ArrayList<>(runs.keySet());
            for (int r = 0; r < options.rounds(); r++) {
                for (String t : order) {
                    Run run = runs.get(t);
                    WrkResult w = wrk.run(t + "-" + (r + 1), run.url(), options.durationSec(), run.headers());
                    rounds.computeIfAbsent(t, k -> new ArrayList<>()).add(new SecurityReport.Round(w.requestsPerSec(),
                            w.p99Micros()));
                    say("round %d %-20s %,10.0f req/s  p99 %,.0f us  (load %s)", r + 1, t, w.requestsPerSec(),
                            w.p99Micros(), MachineInfo.loadAverage());
                }
                java.util.Collections.rotate(order, -1); // a different target first each round: drift hits all alike
            }
            Map<String, List<SecurityReport.Round>> ordered = new LinkedHashMap<>();
            SecurityReport.TARGETS.forEach(t -> ordered.put(t, rounds.get(t)));
            String setup = "wrk -t2 -c%d, %d round(s) of %d s after %d s warm-up; node JVM %s".formatted(
                    options.connections(), options.rounds(), options.durationSec(), options.warmupSec(),
                    String.join(" ", options.gatewayJvmOpts()));
            return new SecurityReport(machine, setup, ordered);
        } finally {
            jwks.stop(0);
        }
    }

    private record Run(String url, List<String> headers, boolean gateway) {
    }

    /** A throwaway EC P-256 certificate for 127.0.0.1 and localhost (nginx and the node serve the same one). */
    private static void openssl(Path dir, Path cert, Path key) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new BenchFailure("openssl could not make the test certificate: " + Files.readString(dir.resolve("openssl.log")));
        }
    }

    /** The identity provider's JWKS endpoint, as the node would fetch it (once, then cached). */
    private static HttpServer serveJwks(int port, String jwks) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        byte[] bytes = jwks.getBytes(StandardCharsets.UTF_8);
        s.createContext("/jwks.json", ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, bytes.length);
            try (var out = ex.getResponseBody()) {
                out.write(bytes);
            }
        });
        s.start();
        return s;
    }

    private static HttpClient trusting(Path cert) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("bench", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(2)).build();
    }

    /** Waits until {@code url} answers 200 with {@code body}; fails when the process exits or after 90 s. */
    private static void awaitBody(HttpClient client, String what, String url, Map<String, String> headers, String body,
                                  ManagedProcesses.Started process) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String last = "no answer";
        while (System.nanoTime() < end) {
            if (!process.process().isAlive()) {
                throw new BenchFailure(what + " exited; log:\n" + process.logTail());
            }
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2));
                headers.forEach(b::header);
                HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().equals(body)) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(200); // polling a starting server: bounded by the deadline above
        }
        throw new BenchFailure(what + " did not serve " + url + " within 90 s (last: " + last + "); log:\n"
                + process.logTail());
    }

    private static String http(int port, String path) {
        return "http://127.0.0.1:" + port + path;
    }
}
