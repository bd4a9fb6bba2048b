package dev.loomgate.chaos.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What to start.
 *
 * @param mode        loopback (no root) or netns (root: namespaces, two LBs, keepalived, a VIP)
 * @param gateways    gateway nodes (at least 3: the inventories list gw1..gw3; more are added)
 * @param portOffset  loopback: shifts every port (a second cluster or a test run next to {@code make cluster})
 * @param netnsPrefix netns: prefix of every namespace the cluster creates and deletes
 * @param repoRoot    the checkout: ansible/, bin/loomgate and the built jars
 * @param secureBackends Redis + Sentinel with TLS and AUTH/ACL, the Consul stand-in with HTTPS and an ACL token
 *                    (a throwaway CA made at start: {@link BackendSecurity})
 * @param secureFront TLS at the front and routes behind JWT and API-key authentication ({@link FrontSecurity});
 *                    needs {@code secureBackends} (its CA)
 */
public record ClusterSpec(Mode mode, int gateways, int portOffset, String netnsPrefix, Path repoRoot,
                          boolean secureBackends, boolean secureFront) {
    public enum Mode { LOOPBACK, NETNS }

    public static final String DEFAULT_NETNS_PREFIX = "lg-";

    public ClusterSpec {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(netnsPrefix, "netnsPrefix");
        Objects.requireNonNull(repoRoot, "repoRoot");
        if (gateways < 3 || gateways > 9) {
            throw new IllegalArgumentException("gateways must be 3..9 (the inventories define gw1..gw3), was " + gateways);
        }
        if (portOffset < 0 || portOffset > 40_000) {
            throw new IllegalArgumentException("portOffset must be 0..40000, was " + portOffset);
        }
        if (secureFront && !secureBackends) {
            throw new IllegalArgumentException("secureFront needs secureBackends (the front certificate comes from its CA)");
        }
        if (!netnsPrefix.matches("[a-z][a-z0-9]{0,4}-")) {
            throw new IllegalArgumentException("netnsPrefix must be 1-5 lower-case letters/digits and '-', was '"
                    + netnsPrefix + "'");
        }
    }

    public static ClusterSpec loopback(Path repoRoot) {
        return new ClusterSpec(Mode.LOOPBACK, 3, 0, DEFAULT_NETNS_PREFIX, repoRoot, false, false);
    }

    public static ClusterSpec netns(Path repoRoot) {
        return new ClusterSpec(Mode.NETNS, 3, 0, DEFAULT_NETNS_PREFIX, repoRoot, false, false);
    }

    public ClusterSpec withGateways(int n) {
        return new ClusterSpec(mode, n, portOffset, netnsPrefix, repoRoot, secureBackends, secureFront);
    }

    public ClusterSpec withPortOffset(int offset) {
        return new ClusterSpec(mode, gateways, offset, netnsPrefix, repoRoot, secureBackends, secureFront);
    }

    public ClusterSpec withNetnsPrefix(String prefix) {
        return new ClusterSpec(mode, gateways, portOffset, prefix, repoRoot, secureBackends, secureFront);
    }

    public ClusterSpec withSecureBackends(boolean on) {
        return new ClusterSpec(mode, gateways, portOffset, netnsPrefix, repoRoot, on, secureFront && on);
    }

    /** Security on everywhere: secure backends plus TLS at the front and authenticated routes. */
    public ClusterSpec withSecurity(boolean on) {
        return new ClusterSpec(mode, gateways, portOffset, netnsPrefix, repoRoot, on, on);
    }

    public boolean netnsMode() {
        return mode == Mode.NETNS;
    }

    public Path gatewayJar() {
        return repoRoot.resolve("gateway/target/loomgate-gateway.jar");
    }

    public Path consulJar() {
        return repoRoot.resolve("consul-standin/target/loomgate-consul-standin.jar");
    }

    /** The checkout this code runs from: the nearest parent with ansible/render.yml (or the working directory's). */
    public static Path findRepoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("ansible/render.yml"))) {
                return p;
            }
        }
        throw new IllegalStateException("run from inside the Loomgate checkout (no ansible/render.yml above "
                + Path.of("").toAbsolutePath() + ")");
    }
}
