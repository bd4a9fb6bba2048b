package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import dev.loomgate.chaos.cluster.ClusterLayout.Host;

/** The demo upstreams (DemoUpstream from the gateway jar), registered in Consul as service {@value LocalCluster#DEMO_SERVICE}. */
final class DemoUpstreams {
    private DemoUpstreams() {
    }

    /** Starts one upstream per host of group {@code upstreams} into {@code upstreams}, waits, registers them. */
    static void start(ClusterLayout layout, ClusterSpec spec, Probes probes, Launcher launcher, String consulUrl,
                      List<ManagedProcess> upstreams, Duration ready) throws IOException {
        for (Host h : layout.group("upstreams")) {
            int port = h.port("upstream", "port");
            upstreams.add(launcher.process(h.name(), h, Launcher.java("-XX:TieredStopAtLevel=1", "-Xmx64m", "-cp",
                    spec.gatewayJar().toString(), "dev.loomgate.gateway.demo.DemoUpstream", "--host", h.address(),
                    Integer.toString(port)), () -> probes.ok(h.netns(), "http://" + h.address() + ":" + port + "/"),
                    () -> { }));
        }
        for (ManagedProcess u : upstreams) {
            u.awaitReady(ready);
            Host h = layout.host(u.host());
            register(h, probes, consulUrl);
        }
        launcher.progress().accept("demo upstreams ready and registered in Consul as service '"
                + LocalCluster.DEMO_SERVICE + "'");
    }

    /** DemoUpstream does not register itself: the launcher does, with an HTTP check Consul runs. */
    private static void register(Host h, Probes probes, String consulUrl) throws IOException {
        int port = h.port("upstream", "port");
        String body = """
                {"ID": "%s", "Name": "%s", "Tags": ["%s"], "Address": "%s", "Port": %d,
                 "Check": {"HTTP": "http://%s:%d/", "Interval": "1s", "Timeout": "1s"}}"""
                .formatted(h.name(), LocalCluster.DEMO_SERVICE, h.string("upstream", "name"), h.address(), port,
                        h.address(), port);
        HttpResponse r = probes.put(h.netns(), consulUrl + "/v1/agent/service/register", body);
        if (r.status() != 200) {
            throw new IOException("registering " + h.name() + " in Consul: HTTP " + r.status() + " " + r.body());
        }
    }
}
