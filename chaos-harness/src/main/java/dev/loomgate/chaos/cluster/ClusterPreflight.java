package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** What is checked and prepared before the cluster renders and starts anything. */
final class ClusterPreflight {
    private ClusterPreflight() {
    }

    /** Jars built, root for namespace mode, no cluster running in {@code workDir}; then a clean work dir. */
    static void prepareWorkDir(ClusterSpec spec, Path workDir) throws IOException {
        for (Path jar : List.of(spec.gatewayJar(), spec.consulJar())) {
            if (!Files.isRegularFile(jar)) {
                throw new IOException(jar + " is missing: build first (make build, or bin/chaos builds it)");
            }
        }
        if (spec.netnsMode() && !"0".equals(CommandResult.run(List.of("id", "-u"), Duration.ofSeconds(5)).output().strip())) {
            throw new IOException("namespace mode needs root (ip netns, keepalived); loopback mode does not");
        }
        if (Files.isDirectory(workDir.resolve("pids")) && !ClusterDown.pidFiles(workDir).isEmpty()) {
            throw new IOException("PID files in " + workDir.resolve("pids") + ": a cluster runs (or crashed) here; "
                    + "stop it first: bin/chaos cluster down --work " + workDir);
        }
        ClusterDown.wipe(workDir);
        Files.createDirectories(workDir.resolve("logs"));
    }

    /** The security material {@code --secure} asks for, and the Ansible vars files that hand it to the render. */
    record Security(Optional<BackendSecurity> backends, Optional<FrontSecurity> front, List<Path> ansibleVars) {
    }

    /** A throwaway CA for secure backends; a front certificate (issued again once the front's address is known). */
    static Security security(ClusterSpec spec, Path workDir) throws IOException {
        Optional<BackendSecurity> backends = Optional.empty();
        Optional<FrontSecurity> front = Optional.empty();
        if (spec.secureBackends()) {
            backends = Optional.of(BackendSecurity.create(workDir));
        }
        List<Path> vars = new ArrayList<>();
        if (backends.isPresent()) {
            vars.add(backends.get().ansibleVars());
        }
        if (spec.secureFront()) {
            // a certificate must exist for haproxy -c while rendering; it is issued again for the rendered address
            front = Optional.of(FrontSecurity.create(backends.orElseThrow(), "127.0.0.1",
                    spec.netnsMode() ? 443 : 18443 + spec.portOffset()));
            vars.add(front.get().ansibleVars());
        }
        return new Security(backends, front, List.copyOf(vars));
    }

    /** A random admin token (namespace mode: the nodes' admin ports are reachable from other namespaces). */
    static String randomToken() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * Certificates naming the addresses the rendered layout gives Redis/Sentinel and Consul.
     *
     * @return probes that speak TLS to them
     */
    static Probes issueBackendCertificates(ClusterLayout layout, BackendSecurity security, Consumer<String> progress)
            throws IOException {
        Set<String> redisAddresses = new LinkedHashSet<>();
        layout.group("redis").forEach(h -> redisAddresses.add(h.address()));
        layout.group("sentinels").forEach(h -> redisAddresses.add(h.address()));
        security.issue("redis", redisAddresses);
        security.issue("consul", List.of(layout.group("consul").get(0).address()));
        Probes probes = new Probes(security);
        progress.accept("secure backends: throwaway CA " + security.caFile() + "; Redis/Sentinel TLS-only with AUTH "
                + "(gateways as ACL user " + BackendSecurity.GATEWAY_USER + "), Consul HTTPS with an ACL token");
        return probes;
    }
}
