package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import jakarta.json.Json;
import jakarta.json.JsonObject;

/**
 * Renders every config with {@code ansible/render.yml} and the mode's inventory. A small overlay
 * inventory in the work dir adds what the checked-in inventory cannot know: gateways beyond gw3 and,
 * in netns mode, this cluster's namespace prefix on every host's {@code netns} (so keepalived's
 * {@code net_namespace} and cluster.json name the namespaces the cluster really creates).
 */
public final class AnsibleRender {
    private AnsibleRender() {
    }

    static ClusterLayout render(ClusterSpec spec, Path workDir, Optional<String> adminToken, Consumer<String> progress)
            throws IOException {
        return render(spec, workDir, adminToken, List.of(), progress);
    }

    /** As above, with vars files passed as {@code -e @file} (secure backends and front: paths, passwords, tokens). */
    static ClusterLayout render(ClusterSpec spec, Path workDir, Optional<String> adminToken, List<Path> varsFiles,
                                Consumer<String> progress) throws IOException {
        Path ansible = spec.repoRoot().resolve("ansible");
        String inventory = "inventories/" + (spec.netnsMode() ? "netns" : "loopback");
        Path renderDir = workDir.resolve("render");
        Files.createDirectories(renderDir);
        Path overlay = workDir.resolve("inventory-overlay.yml");
        Files.writeString(overlay, overlay(spec, ansible, inventory));
        List<String> cmd = new ArrayList<>(List.of("ansible-playbook", "render.yml", "-i", inventory,
                "-i", overlay.toString(), "-e", "render_dir=" + renderDir, "-e", "port_offset=" + spec.portOffset()));
        adminToken.ifPresent(t -> cmd.addAll(List.of("-e", "gateway_admin_token=" + t)));
        varsFiles.forEach(f -> cmd.addAll(List.of("-e", "@" + f)));
        // the admin token is a credential: the printed command (terminal, test output) names it, never shows it
        String shown = String.join(" ", cmd.stream().map(a -> a.startsWith("gateway_admin_token=")
                ? "gateway_admin_token=<redacted>" : a).toList());
        progress.accept("rendering configs: (cd ansible && " + shown + ")");
        playbook(ansible, cmd, workDir.resolve("logs").resolve("ansible-render.log"));
        return ClusterLayout.read(renderDir);
    }

    /**
     * Renders the files of the inventory hosts {@code limit} names only (e.g. {@code lb1}: one HAProxy config for a
     * test), from the loopback inventory plus {@code overlay} (a test's own ports), into {@code renderDir}/host/.
     * Every other host stays in the inventory, so templates that list them (HAProxy's servers) see them.
     */
    public static void renderLoopbackHosts(Path repoRoot, Path overlay, String limit, Path renderDir, Path log)
            throws IOException {
        Files.createDirectories(renderDir);
        playbook(repoRoot.resolve("ansible"), List.of("ansible-playbook", "render.yml", "-i", "inventories/loopback",
                "-i", overlay.toString(), "--limit", limit, "-e", "render_dir=" + renderDir), log);
    }

    private static void playbook(Path ansible, List<String> cmd, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ansible.toFile()).redirectErrorStream(true);
        Files.createDirectories(log.getParent());
        pb.redirectOutput(log.toFile());
        pb.environment().put("ANSIBLE_NOCOLOR", "1");
        pb.environment().put("ANSIBLE_CONFIG", ansible.resolve("ansible.cfg").toString());
        try {
            Process p = pb.start();
            if (!p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("ansible-playbook did not finish within 180 s; log: " + log);
            }
            if (p.exitValue() != 0) {
                throw new IOException("ansible-playbook render.yml failed (exit " + p.exitValue() + "); log: " + log
                        + "\n" + ManagedProcess.tail(log, 25));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while rendering", e);
        }
    }

    private static String overlay(ClusterSpec spec, Path ansible, String inventory) throws IOException {
        String json = CommandResult.check(List.of("ansible-inventory", "-i", ansible.resolve(inventory).toString(),
                "--list"), Duration.ofSeconds(60));
        JsonObject hostvars = Json.createReader(new StringReader(json.substring(json.indexOf('{')))).readObject()
                .getJsonObject("_meta").getJsonObject("hostvars");
        StringBuilder y = new StringBuilder("""
                ---
                # Written by the cluster launcher (dev.loomgate.chaos.cluster.AnsibleRender) for this run only.
                all:
                  vars:
                    cluster_launcher_overlay: true
                """);
        if (spec.netnsMode()) {
            y.append("  hosts:\n");
            for (var e : hostvars.entrySet()) {
                String ns = e.getValue().asJsonObject().getString("netns", "");
                if (!ns.isEmpty()) {
                    y.append("    ").append(e.getKey()).append(": { netns: ").append(spec.netnsPrefix()).append(ns)
                            .append(" }\n");
                }
            }
        }
        if (spec.gateways() > 3) {
            y.append("  children:\n    gateways:\n      hosts:\n");
            for (int i = 4; i <= spec.gateways(); i++) {
                y.append("        gw").append(i).append(":\n");
                if (spec.netnsMode()) {
                    y.append("          netns: ").append(spec.netnsPrefix()).append("gw").append(i).append('\n');
                    y.append("          node_address: 10.77.0.").append(20 + i).append('\n');
                } else {
                    y.append("          gateway_port: \"{{ ").append(18080 + i).append(" + port_offset | int }}\"\n");
                    y.append("          gateway_admin_port: \"{{ ").append(19080 + i)
                            .append(" + port_offset | int }}\"\n");
                }
            }
        }
        return y.toString();
    }
}
