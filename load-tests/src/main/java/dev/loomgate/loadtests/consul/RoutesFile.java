package dev.loomgate.loadtests.consul;

import dev.loomgate.loadtests.routes.GeneratedRoutes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The routes file the propagation benchmark pushes: a small hand-written table, or a generated one of
 * {@code tableSize} routes, each followed by the routes added so far.
 */
final class RoutesFile {
    /** A path a route of the generated table serves (a route without hosts). */
    static final String PROBE_PATH = "/api/svc0/health";

    private final Path file;
    private final int upstreamPort;
    private final int tableSize;

    RoutesFile(Path file, int upstreamPort, int tableSize) {
        this.file = file;
        this.upstreamPort = upstreamPort;
        this.tableSize = tableSize;
    }

    /** The upstream added routes send to. */
    String upstreamName() {
        return tableSize > 0 ? "up0" : "demo";
    }

    /**
     * The nodes' {@code limits:} for this table: each KV value stays small (one route), but the document the node
     * assembles from 10,000 of them is larger than the 1 MiB default of {@code limits.max-config-size}.
     */
    String nodeLimits() {
        return tableSize > 0 ? "limits: { max-config-size: 16MiB }\n" : "";
    }

    void write(String version, CharSequence addedRoutes) throws IOException {
        if (tableSize > 0) {
            Files.writeString(file, GeneratedRoutes.of(tableSize, version, "127.0.0.1:" + upstreamPort).yaml() + addedRoutes);
            return;
        }
        Files.writeString(file, """
                version: "%s"
                upstreams:
                  - name: demo
                    endpoints: [ "127.0.0.1:%d" ]
                routes:
                  - id: base
                    upstream: demo
                    match: { path-prefix: /base }
                """.formatted(version, upstreamPort) + addedRoutes);
    }
}
