package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code bin/loomgate} against the cluster's Consul, as an operator runs it (from the client namespace in netns
 * mode): routes push and keys create; and the demo routes file the cluster starts with.
 */
final class ConsulCli {
    private final ClusterSpec spec;
    private final String consulUrl;
    private final Optional<String> clientNamespace;
    private final Optional<BackendSecurity> backendSecurity;
    private final Consumer<String> progress;

    ConsulCli(ClusterSpec spec, String consulUrl, Optional<String> clientNamespace,
              Optional<BackendSecurity> backendSecurity, Consumer<String> progress) {
        this.spec = spec;
        this.consulUrl = consulUrl;
        this.clientNamespace = clientNamespace;
        this.backendSecurity = backendSecurity;
        this.progress = progress;
    }

    /** The bundled demo routes, plus the saga routes and the secure front's routes when those run. */
    static Path demoRoutes(Path workDir, Optional<SagaDemo> sagaDemo, Optional<FrontSecurity> frontSecurity)
            throws IOException {
        Path out = workDir.resolve("demo-routes.yaml");
        try (var in = LocalCluster.class.getResourceAsStream("demo-routes.yaml")) {
            Files.copy(Objects.requireNonNull(in, "demo-routes.yaml resource"), out,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        if (sagaDemo.isPresent()) {
            Files.writeString(out, SagaDemo.withSagaRoutes(Files.readString(out), sagaDemo.get().addresses()));
        }
        if (frontSecurity.isPresent()) {
            Files.writeString(out, frontSecurity.get().routes(), StandardOpenOption.APPEND);
        }
        return out;
    }

    /** {@code loomgate routes push FILE}; fails unless it exits 0. */
    void publishRoutes(Path yaml) throws IOException {
        String out = CommandResult.check(pushCommand(yaml, false), env(), Duration.ofSeconds(60));
        progress.accept("routes pushed to Consul KV: " + out.strip().replace('\n', ' '));
    }

    /** {@code loomgate routes push}, whatever its exit code. */
    CommandResult pushRoutes(Path yaml, boolean force) throws IOException {
        return CommandResult.run(pushCommand(yaml, force), env(), Duration.ofSeconds(60));
    }

    /** {@code bin/loomgate keys create smoke-client}: the hash goes to Consul KV, the key (stdout) to the smoke check. */
    void createApiKey(FrontSecurity front) throws IOException {
        List<String> cmd = command();
        cmd.addAll(List.of("keys", "create", "smoke-client", "--pepper-file", front.pepperFile().toString()));
        CommandResult r = CommandResult.run(cmd, env(), Duration.ofSeconds(60));
        String key = r.output().lines().map(String::strip).filter(l -> l.startsWith("lgk_")).findFirst().orElse("");
        if (r.exitCode() != 0 || key.isEmpty()) {
            throw new IOException("loomgate keys create failed (exit " + r.exitCode() + ")");
        }
        front.apiKey(key);
        progress.accept("API key for client 'smoke-client' created with `loomgate keys create` (hash in Consul KV)");
    }

    /** The CLI takes the Consul token from the environment, so it never shows in a process list. */
    private Map<String, String> env() {
        return backendSecurity.map(b -> Map.of("LOOMGATE_CONSUL_TOKEN", b.consulToken())).orElse(Map.of());
    }

    private List<String> pushCommand(Path yaml, boolean force) {
        List<String> cmd = command();
        cmd.addAll(List.of("routes", "push"));
        if (force) {
            cmd.add("--force");
        }
        cmd.add(yaml.toAbsolutePath().toString());
        return cmd;
    }

    /** {@code [ip netns exec NS] bin/loomgate --consul URL [--ca-file CA]}. */
    private List<String> command() {
        List<String> cmd = new ArrayList<>();
        clientNamespace.ifPresent(ns -> cmd.addAll(List.of("ip", "netns", "exec", ns)));
        cmd.addAll(List.of(spec.repoRoot().resolve("bin/loomgate").toString(), "--consul", consulUrl));
        backendSecurity.ifPresent(b -> cmd.addAll(List.of("--ca-file", b.caFile().toString())));
        return cmd;
    }
}
