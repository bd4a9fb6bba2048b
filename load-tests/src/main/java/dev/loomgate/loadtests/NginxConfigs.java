package dev.loomgate.loadtests;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** nginx configurations of the benchmark: the upstream (origin) and nginx as a keep-alive reverse proxy. */
public final class NginxConfigs {
    /** A short answer for {@link #upstream} (rate-limit and async benchmarks); "\\n" is nginx's newline escape. */
    public static final String OK_BODY =
            "ok: 100 bytes of body .............................................................\\n";

    private NginxConfigs() {
    }

    /** A body of exactly {@code bytes} printable ASCII characters, safe inside an nginx double-quoted string. */
    public static String body(int bytes) {
        String alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
        StringBuilder sb = new StringBuilder(bytes);
        for (int i = 0; i < bytes; i++) {
            sb.append(alphabet.charAt(i % alphabet.length()));
        }
        return sb.toString();
    }

    /**
     * The origin: one worker answering every request with {@code body}, listening on several ports so the
     * connections of each target (direct wrk, Loomgate, nginx proxy) can be told apart in {@code ss}.
     */
    public static String upstream(Path dir, List<Integer> ports, String body) {
        String listens = ports.stream().map(p -> "        listen 127.0.0.1:" + p + " backlog=4096;")
                .collect(Collectors.joining("\n"));
        return common(dir, 1) + """
                http {
                    access_log off;
                    keepalive_requests 1000000;
                    keepalive_timeout 300s;
                    server {
                %s
                        default_type text/plain;
                        location / { return 200 "%s"; }
                    }
                }
                """.formatted(listens, body);
    }

    /** nginx as the reference proxy: one worker per core, pooled keep-alive connections to the origin. */
    public static String reverseProxy(Path dir, int workers, int listenPort, int upstreamPort) {
        return proxy(dir, workers, upstreamPort, "listen 127.0.0.1:%d backlog=4096;".formatted(listenPort));
    }

    /**
     * nginx as the reference TLS terminator: as {@link #reverseProxy} on {@code tlsPort} with this certificate
     * (PEM chain and key), TLS 1.2/1.3 only, session cache on (what a production nginx has).
     */
    public static String reverseProxyTls(Path dir, int workers, int tlsPort, int upstreamPort, Path cert, Path key) {
        return proxy(dir, workers, upstreamPort, """
                listen 127.0.0.1:%d ssl backlog=4096;
                        ssl_certificate %s;
                        ssl_certificate_key %s;
                        ssl_protocols TLSv1.2 TLSv1.3;
                        ssl_session_cache shared:bench:10m;""".formatted(tlsPort, cert, key));
    }

    private static String proxy(Path dir, int workers, int upstreamPort, String listen) {
        return common(dir, workers) + """
                http {
                    access_log off;
                    keepalive_requests 1000000;
                    keepalive_timeout 300s;
                    upstream origin {
                        server 127.0.0.1:%d;
                        keepalive 64;
                        keepalive_requests 1000000;
                    }
                    server {
                        %s
                        location / {
                            proxy_pass http://origin;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                        }
                    }
                }
                """.formatted(upstreamPort, listen);
    }

    private static String common(Path dir, int workers) {
        return common(dir, workers, 8192);
    }

    /**
     * The main context: {@code workerConnections} per worker and, above the default, a matching open-files
     * limit (nginx raises it itself when it runs as root or under a high enough hard limit).
     */
    public static String common(Path dir, int workers, int workerConnections) {
        String nofile = workerConnections > 8192 ? "worker_rlimit_nofile %d;\n".formatted(2 * workerConnections + 64) : "";
        return """
                daemon off;
                master_process on;
                worker_processes %d;
                pid %s;
                error_log %s warn;
                %sevents { worker_connections %d; }
                """.formatted(workers, dir.resolve("nginx.pid"), dir.resolve("error.log"), nofile, workerConnections);
    }
}
