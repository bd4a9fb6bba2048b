package dev.loomgate.loadtests.scale;

import dev.loomgate.loadtests.NginxConfigs;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Routes files and nginx configs of the scale curves. Every table has the upstreams {@code e1}, {@code e10}, ...
 * (the first N origin ports), routes {@code /ep<N>/} to each, {@code /size/} to e1, and filler routes
 * {@code /r<i>/} to e1 up to the table size.
 */
final class ScaleConfigs {
    private ScaleConfigs() {
    }

    /** The path matching the last generated route of a table of {@code routes} routes. */
    static String lastRoutePath(int routes, List<Integer> endpointCounts) {
        return "/r" + (fillers(routes, endpointCounts) - 1) + "/x";
    }

    /** Filler routes in a table of {@code routes} (at least one, so the routes curve always has a target). */
    static int fillers(int routes, List<Integer> endpointCounts) {
        return Math.max(1, routes - endpointCounts.size() - 1);
    }

    static String gatewayRoutes(int routes, List<Integer> endpointCounts, List<Integer> originPorts) {
        StringBuilder sb = new StringBuilder("upstreams:\n");
        for (int n : endpointCounts) {
            sb.append("  - name: e").append(n).append("\n    endpoints: [ ")
                    .append(originPorts.subList(0, n).stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(", ")))
                    .append(" ]\n");
        }
        sb.append("routes:\n");
        for (int n : endpointCounts) {
            sb.append("  - { id: ep%d, upstream: e%d, match: { path-prefix: /ep%d } }\n".formatted(n, n, n));
        }
        sb.append("  - { id: size, upstream: e%d, match: { path-prefix: /size } }\n".formatted(endpointCounts.getFirst()));
        for (int i = 0; i < fillers(routes, endpointCounts); i++) {
            sb.append("  - { id: r%d, upstream: e%d, match: { path-prefix: /r%d } }\n".formatted(i, endpointCounts.getFirst(), i));
        }
        return sb.toString();
    }

    /** The origin: one worker on every port, 100 B for any path, static files of each size under /size/. */
    static String origin(Path dir, List<Integer> ports, String body, Path sizeRoot) {
        String listens = ports.stream().map(p -> "        listen 127.0.0.1:" + p + " backlog=4096;")
                .collect(Collectors.joining("\n"));
        return NginxConfigs.common(dir, 1, 16384) + """
                http {
                    access_log off;
                    keepalive_requests 1000000;
                    keepalive_timeout 300s;
                    server {
                %s
                        default_type text/plain;
                        location / { return 200 "%s"; }
                        location /size/ { root %s; }
                    }
                }
                """.formatted(listens, body, sizeRoot);
    }

    /** nginx as the reference proxy with the same routes as the gateway's table. */
    static String proxy(Path dir, int workers, int listenPort, int routes, List<Integer> endpointCounts,
                        List<Integer> originPorts) {
        StringBuilder http = new StringBuilder();
        for (int n : endpointCounts) {
            http.append("    upstream e").append(n).append(" {\n");
            originPorts.subList(0, n).forEach(p -> http.append("        server 127.0.0.1:").append(p).append(";\n"));
            // nginx's idle-connection cache is per upstream block and per worker, not per server, and connections
            // beyond it are closed after each request: at least 64 per server (Loomgate pools per endpoint) and
            // 1,024, else 100 servers or 1,000 clients churn through new upstream connections
            http.append("        keepalive ").append(Math.max(64 * n, 1024)).append(";\n        keepalive_requests 1000000;\n    }\n");
        }
        String locations = IntStream.range(0, fillers(routes, endpointCounts))
                .mapToObj(i -> "        location /r%d/ { proxy_pass http://e%d; }".formatted(i, endpointCounts.getFirst()))
                .collect(Collectors.joining("\n"));
        String epLocations = endpointCounts.stream()
                .map(n -> "        location /ep%d/ { proxy_pass http://e%d; }".formatted(n, n))
                .collect(Collectors.joining("\n"));
        return NginxConfigs.common(dir, workers, 16384) + """
                http {
                    access_log off;
                    keepalive_requests 1000000;
                    keepalive_timeout 300s;
                %s
                    server {
                        listen 127.0.0.1:%d backlog=16384;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        # buffered, but never to temp files on disk (the default spills a 1 MiB body there;
                        # Loomgate streams): what is measured is proxying, not the disk
                        proxy_buffering on;
                        proxy_max_temp_file_size 0;
                %s
                        location /size/ { proxy_pass http://e%d; }
                %s
                    }
                }
                """.formatted(http, listenPort, epLocations, endpointCounts.getFirst(), locations);
    }
}
