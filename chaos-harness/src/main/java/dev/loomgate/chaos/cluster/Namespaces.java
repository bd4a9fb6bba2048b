package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The namespace topology: {@code <prefix>sw} holds a bridge; every host namespace gets a veth pair
 * created directly between the switch namespace and itself ({@code v-<host>} there, {@code eth0} in the
 * host), an address from the inventory and no default route. Nothing is added to the root namespace.
 */
final class Namespaces {
    private static final Duration IP_TIMEOUT = Duration.ofSeconds(20);
    private final String prefix;
    private final Consumer<String> progress;

    Namespaces(String prefix, Consumer<String> progress) {
        this.prefix = prefix;
        this.progress = progress;
    }

    String switchNamespace() {
        return prefix + "sw";
    }

    /**
     * Creates the switch and one namespace per entry (namespace name to its address, /24).
     * {@code nonlocalBind}: namespaces whose HAProxy binds the VIP before owning it.
     */
    void create(Map<String, String> addresses, Set<String> nonlocalBind) throws IOException {
        List<String> stale = existing(prefix);
        if (!stale.isEmpty()) {
            throw new IOException("namespaces " + stale + " exist already (another cluster, or a crashed run: "
                    + "bin/chaos cluster down --prefix " + prefix + ")");
        }
        String sw = switchNamespace();
        ip("netns", "add", sw);
        ip("-n", sw, "link", "set", "lo", "up");
        ip("-n", sw, "link", "add", "br0", "type", "bridge");
        ip("-n", sw, "link", "set", "br0", "up");
        for (var e : addresses.entrySet()) {
            String ns = e.getKey();
            String veth = "v-" + ns.substring(prefix.length());
            if (veth.length() > 15) {
                veth = veth.substring(0, 15);
            }
            ip("netns", "add", ns);
            ip("link", "add", veth, "netns", sw, "type", "veth", "peer", "name", "eth0", "netns", ns);
            ip("-n", sw, "link", "set", veth, "master", "br0", "up");
            ip("-n", ns, "addr", "add", e.getValue() + "/24", "dev", "eth0");
            ip("-n", ns, "link", "set", "eth0", "up");
            ip("-n", ns, "link", "set", "lo", "up");
            if (nonlocalBind.contains(ns)) {
                CommandResult.check(List.of("ip", "netns", "exec", ns, "sysctl", "-q", "-w",
                        "net.ipv4.ip_nonlocal_bind=1"), IP_TIMEOUT);
            }
        }
        progress.accept("namespaces: " + sw + " (bridge) + " + String.join(", ", addresses.keySet()));
    }

    void linkDown(String ns) throws IOException {
        ip("-n", ns, "link", "set", "eth0", "down");
    }

    void linkUp(String ns) throws IOException {
        ip("-n", ns, "link", "set", "eth0", "up");
    }

    /** Deletes every namespace whose name starts with the prefix; returns the names deleted. */
    static List<String> deleteAll(String prefix) {
        List<String> deleted = new ArrayList<>();
        for (String ns : existing(prefix)) {
            try {
                CommandResult r = CommandResult.run(List.of("ip", "netns", "del", ns), IP_TIMEOUT);
                if (r.exitCode() == 0) {
                    deleted.add(ns);
                }
            } catch (IOException e) {
                // reported by the caller through what is left
            }
        }
        return deleted;
    }

    static List<String> existing(String prefix) {
        try {
            CommandResult r = CommandResult.run(List.of("ip", "netns", "list"), IP_TIMEOUT);
            return r.output().lines().map(l -> l.split(" ")[0]).filter(n -> n.startsWith(prefix)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        CommandResult.check(cmd, IP_TIMEOUT);
    }
}
