package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.chaos.cluster.ClusterLayout.Host;

/** Namespace mode: the layout's hosts mapped onto network namespaces. */
final class HostNamespaces {
    private HostNamespaces() {
    }

    /** One namespace per distinct host namespace of the layout, with its address; the LBs' may bind the VIP. */
    static void create(Namespaces namespaces, ClusterLayout layout) throws IOException {
        Map<String, String> addresses = new LinkedHashMap<>();
        Set<String> lbNs = new LinkedHashSet<>();
        for (Host h : layout.hosts().values()) {
            String ns = h.netns().orElseThrow(() -> new IOException("host " + h.name() + " has no netns"));
            String before = addresses.putIfAbsent(ns, h.address());
            if (before != null && !before.equals(h.address())) {
                throw new IOException("namespace " + ns + " would need two addresses: " + before + ", " + h.address());
            }
            if (h.in("lbs")) {
                lbNs.add(ns);
            }
        }
        namespaces.create(addresses, lbNs);
    }

    /** Namespace of an inventory host (gw1, redis1, lb2, ...) or namespace short name (redis, client). */
    static String of(ClusterLayout layout, String prefix, String host) {
        if (layout.hosts().containsKey(host)) {
            return layout.host(host).netns().orElseThrow();
        }
        String full = prefix + host;
        if (layout.hosts().values().stream().anyMatch(h -> h.netns().equals(Optional.of(full)))) {
            return full;
        }
        throw new IllegalArgumentException("no host or namespace '" + host + "'");
    }
}
