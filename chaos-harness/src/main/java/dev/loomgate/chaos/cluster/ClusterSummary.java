package dev.loomgate.chaos.cluster;

import java.util.List;

import dev.loomgate.chaos.cluster.ClusterLayout.Host;

/** The text printed once the cluster is ready: where everything is and what to try. */
final class ClusterSummary {
    private ClusterSummary() {
    }

    /** Starts with "cluster ready". */
    static String of(LocalCluster c, ClusterLayout layout) {
        List<ManagedProcess> gateways = c.gateways();
        List<ManagedProcess> lbs = c.lbs();
        String frontUrl = c.frontUrl();
        StringBuilder s = new StringBuilder("cluster ready (" + (c.spec().netnsMode() ? "namespaces" : "loopback")
                + ", " + gateways.size() + " gateway nodes)\n");
        s.append("  front:       ").append(frontUrl);
        c.clientNamespace().ifPresent(ns -> s.append("   (from the client namespace: ip netns exec ").append(ns)
                .append(" curl ").append(c.backendSecurity().map(b -> "--cacert " + b.caFile() + " ").orElse(""))
                .append(frontUrl).append("/demo)"));
        s.append('\n');
        for (ManagedProcess g : gateways) {
            Host h = layout.host(g.host());
            s.append(String.format("  %-12s %s  admin port %d (%s/health/ready)  pid %d%s%n", g.name() + ":",
                    c.nodeUrl(g), h.port("gateway", "admin-port"), c.adminUrl(g), g.pid(),
                    h.netns().map(ns -> "  netns " + ns).orElse("")));
        }
        for (int i = 0; i < lbs.size(); i++) {
            s.append("  haproxy:     ").append(c.statsUrls().get(i)).append("  (")
                    .append(lbs.get(i).name()).append(", runtime API ").append(c.haproxySocket(lbs.get(i).host()))
                    .append(")\n");
        }
        s.append("  prometheus:  ").append(c.prometheusUrl()).append("  (alerts: ").append(c.alertmanagerUrl())
                .append(")\n");
        if (!c.redisExporters().isEmpty()) {
            s.append("  redis:       exporters ").append(String.join(", ", c.redisExporterMetricsUrls()))
                    .append("  (Prometheus job redis)\n");
        }
        String consulUrl = c.consulUrl();
        s.append("  consul:      ").append(consulUrl).append("  (routes: bin/loomgate --consul ")
                .append(consulUrl).append(c.backendSecurity().map(b -> " --ca-file " + b.caFile()
                        + " with LOOMGATE_CONSUL_TOKEN from " + b.consulTokenFile()).orElse(""))
                .append(" routes status)\n");
        c.backendSecurity().ifPresent(b -> s.append("  backends:    Redis/Sentinel TLS-only + AUTH, Consul HTTPS + ACL "
                + "token; CA ").append(b.caFile()).append('\n'));
        s.append("  logs:        ").append(c.logsDir()).append("  (configs: ").append(c.renderDir()).append(")\n");
        c.centralLogDir().ifPresent(d -> s.append("  central log: ").append(d).append("  (<node>.log, all.jsonl)\n"));
        s.append("  try:         curl -i ").append(frontUrl).append("/demo   ").append(frontUrl)
                .append("/limited (429 after 5/s cluster-wide)");
        c.sagaDemo().ifPresent(d -> s.append("\n  saga:        curl -i -X POST -d '{\"item\":\"book\",\"qty\":2}' ")
                .append(frontUrl).append("/place-order  (participants ").append(d.addresses().values())
                .append(", GET /state)"));
        return s.toString();
    }
}
