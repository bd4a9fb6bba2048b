package dev.loomgate.gateway.discovery;

import dev.loomgate.testsupport.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import dev.loomgate.consul.standin.ConsulStandin;
import dev.loomgate.gateway.cli.LoomgateCli;
import dev.loomgate.gateway.consul.ConsulClient;
import dev.loomgate.gateway.consul.ConsulSettings;
import dev.loomgate.gateway.consul.KvEntry;
import dev.loomgate.gateway.consul.ServiceInstance;
import dev.loomgate.gateway.testing.RefusingPort;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.loomgate.gateway.discovery.ConsulNodes.body;
import static dev.loomgate.gateway.discovery.ConsulNodes.push;
import static dev.loomgate.gateway.discovery.ConsulNodes.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Routes published to Consul KV with the CLI, served by three in-process nodes. */
class ConsulRoutesClusterTest {
    private static final Duration CONVERGE = Duration.ofSeconds(10);
    @TempDir
    Path dir;
    private ConsulStandin consul;
    private ConsulClient client;
    private TestUpstream a;
    private TestUpstream b;
    private final List<TestGateway> nodes = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        consul = ConsulNodes.standin();
        client = new ConsulClient(ConsulSettings.of(consul.baseUri()));
        a = TestUpstream.start("a");
        b = TestUpstream.start("b");
    }

    @AfterEach
    void tearDown() {
        nodes.forEach(TestGateway::close);
        client.close();
        a.close();
        b.close();
        consul.stop();
    }

    private String routes(String version, boolean second) {
        return """
                version: "%s"
                upstreams:
                  - name: a
                    endpoints: [ %s ]
                  - name: b
                    endpoints: [ %s ]
                routes:
                  - id: first
                    upstream: a
                    match: { path-prefix: /first }
                """.formatted(version, a.address(), b.address()) + (second ? """
                  - id: second
                    upstream: b
                    match: { path-prefix: /second }
                """ : "");
    }

    private void startNodes(int n) throws Exception {
        nodes.addAll(ConsulNodes.nodes(consul, dir, n));
    }

    private void awaitAll(String path, int status) throws InterruptedException {
        for (TestGateway g : nodes) {
            Await.until(g.node().config().node().id() + " " + path + " -> " + status, CONVERGE, () -> status(g, path) == status);
        }
    }

    @Test
    void routePublishedWithTheCliIsServedByThreeNodes() throws Exception {
        startNodes(3);
        awaitAll("/first", 404);
        var r = push(consul, ConsulNodes.write(dir, "v1.yaml", routes("v1", false)));
        assertEquals(LoomgateCli.OK, r.exit(), r.err());
        awaitAll("/first", 200);
        awaitAll("/second", 404);
        r = push(consul, ConsulNodes.write(dir, "v2.yaml", routes("v2", true)));
        assertEquals(LoomgateCli.OK, r.exit(), r.err());
        awaitAll("/second", 200);
        for (TestGateway g : nodes) {
            assertTrue(body(g, "/second/x").contains("b"), "served by upstream b");
            assertEquals("v2", g.node().routing().current().version());
        }
        for (int i = 1; i <= 3; i++) {
            String key = "loomgate/status/node-" + i;
            Await.until(key, CONVERGE, () -> kv(key).contains("\"applied\"") && kv(key).contains("\"v2\""));
        }
        var status = ConsulNodes.cli("--consul", consul.baseUri(), "routes", "status");
        assertEquals(0, status.exit());
        assertTrue(status.out().contains("version in Consul: v2"), status.out());
        assertEquals(3, status.out().lines().filter(l -> l.startsWith("node-") && l.contains("applied")).count(),
                status.out());
        var pulled = ConsulNodes.cli("--consul", consul.baseUri(), "routes", "pull", "-o", dir.resolve("pulled.yaml").toString());
        assertEquals(0, pulled.exit(), pulled.err());
        var valid = ConsulNodes.cli("routes", "validate", dir.resolve("pulled.yaml").toString());
        assertEquals(0, valid.exit(), valid.err() + Files.readString(dir.resolve("pulled.yaml")));
        assertTrue(nodes.get(0).admin("/admin/consul").body().contains("\"version\":\"v2\""));
    }

    @Test
    void invalidRouteIsRejectedEverywhereAndTheOldOneKeepsServing() throws Exception {
        startNodes(3);
        assertEquals(0, push(consul, ConsulNodes.write(dir, "v1.yaml", routes("v1", false))).exit());
        awaitAll("/first", 200);
        // an operator edits KV by hand: a route naming an upstream that does not exist
        client.kvPut("loomgate/routes/bad", "{\"id\": \"bad\", \"upstream\": \"nope\", \"match\": {\"path-prefix\": \"/bad\"}}");
        client.kvPut("loomgate/config-version", "v2-bad");
        for (int i = 1; i <= 3; i++) {
            String key = "loomgate/status/node-" + i;
            Await.until(key, CONVERGE, () -> kv(key).contains("\"rejected\"") && kv(key).contains("v2-bad"));
            String s = client.kvGet(key).orElseThrow().valueUtf8();
            assertTrue(s.contains("\"version\":\"v2-bad\"") && s.contains("\"applied-version\":\"v1\""), s);
            assertTrue(s.contains("loomgate/routes/bad") && s.contains("nope"), "reason names the key and the problem: " + s);
        }
        awaitAll("/first", 200);
        for (TestGateway g : nodes) {
            assertEquals("v1", g.node().routing().current().version());
            assertTrue(g.admin("/admin/consul").body().contains("\"state\":\"rejected\""));
            assertTrue(g.node().routing().lastRejection().isPresent());
        }
        var status = ConsulNodes.cli("--consul", consul.baseUri(), "routes", "status");
        assertEquals(3, status.out().lines().filter(l -> l.contains("rejected") && l.contains("v2-bad")).count(),
                status.out());
        // the CLI refuses to push an invalid file at all
        Path bad = ConsulNodes.write(dir, "bad.yaml", routes("v3", false).replace("upstream: a", "upstream: zzz"));
        var r = push(consul, bad);
        assertEquals(LoomgateCli.INVALID, r.exit());
        assertTrue(r.err().contains("zzz"), r.err());
    }

    @Test
    void pushConflictsAreClearErrors() throws Exception {
        Path v1 = ConsulNodes.write(dir, "v1.yaml", routes("v1", false));
        assertEquals(0, push(consul, v1).exit());
        var stale = push(consul, ConsulNodes.write(dir, "v2.yaml", routes("v2", true)), "--expect-version", "v0");
        assertEquals(LoomgateCli.CONFLICT, stale.exit());
        assertTrue(stale.err().contains("conflict") && stale.err().contains("'v1'"), stale.err());
        assertEquals("v1", client.kvGet("loomgate/config-version").orElseThrow().valueUtf8(), "nothing written");
        assertTrue(client.kvGet("loomgate/routes/second").isEmpty(), "nothing written");
        // another operator's push is half-way (version key pending)
        KvEntry version = client.kvGet("loomgate/config-version").orElseThrow();
        client.kvPut("loomgate/config-version", "v9".getBytes(), OptionalLong.of(version.modifyIndex()),
                KvRoutesLayout.PENDING);
        var busy = push(consul, ConsulNodes.write(dir, "v2.yaml", routes("v2", true)));
        assertEquals(LoomgateCli.CONFLICT, busy.exit());
        assertTrue(busy.err().contains("in progress"), busy.err());
        var forced = push(consul, ConsulNodes.write(dir, "v2.yaml", routes("v2", true)), "--force", "--expect-version", "v9");
        assertEquals(0, forced.exit(), forced.err());
        KvEntry now = client.kvGet("loomgate/config-version").orElseThrow();
        assertEquals("v2", now.valueUtf8());
        assertEquals(0, now.flags(), "committed");
        var usage = ConsulNodes.cli("routes", "push");
        assertEquals(LoomgateCli.USAGE, usage.exit());
        assertEquals(0, ConsulNodes.cli("--help").exit());
        try (RefusingPort dead = RefusingPort.open()) {
            assertEquals(LoomgateCli.CONSUL_ERROR, ConsulNodes.cli("--consul", dead.address(), "routes", "status").exit());
        }
    }

    @Test
    void nodesRegisterAndLeaveOnGracefulShutdown() throws Exception {
        startNodes(3);
        Await.until("3 passing loomgate instances", Duration.ofSeconds(15), () -> passing(3));
        ServiceInstance one = instances().stream().filter(i -> i.serviceId().equals("node-1")).findFirst().orElseThrow();
        assertEquals(nodes.get(0).port(), one.port());
        assertEquals(Integer.toString(nodes.get(0).adminPort()), one.meta().get("admin-port"));
        assertTrue(one.meta().containsKey("version"));
        String listed = nodes.get(0).admin("/admin/nodes").body();
        assertTrue(listed.contains("\"node-1\"") && listed.contains("\"node-2\"") && listed.contains("\"node-3\""), listed);
        // the agent forgets a node: it registers again
        client.deregister("node-2");
        Await.until("node-2 back", CONVERGE, () -> instances().stream().anyMatch(i -> i.serviceId().equals("node-2")));
        // the drained node is off the list tearDown closes: close it here, which also deletes its temp dir
        try (TestGateway third = nodes.remove(2)) {
            third.node().drainAndStop();
        }
        Await.until("node-3 gone", CONVERGE, () -> instances().stream().noneMatch(i -> i.serviceId().equals("node-3")));
        assertEquals(2, instances().size());
    }

    private List<ServiceInstance> instances() {
        try {
            return client.healthService("loomgate", List.of(), false, 0, Duration.ofSeconds(1)).value();
        } catch (Exception e) {
            return List.of();
        }
    }

    private boolean passing(int n) {
        return instances().stream().filter(ServiceInstance::passing).count() == n;
    }

    @Test
    void consulStoppedAtRuntimeNodesKeepServing() throws Exception {
        startNodes(3);
        assertEquals(0, push(consul, ConsulNodes.write(dir, "v1.yaml", routes("v1", false))).exit());
        awaitAll("/first", 200);
        consul.stop();
        for (TestGateway g : nodes) {
            Await.until("stale flag", CONVERGE, () -> adminBody(g, "/admin/consul").contains("\"stale\":true"));
            assertTrue(adminBody(g, "/metrics").contains("loomgate_consul_stale{source=\"routes\"} 1"));
        }
        for (int i = 0; i < 5; i++) {
            awaitAll("/first", 200);
        }
        consul.start();
        assertEquals(0, push(consul, ConsulNodes.write(dir, "v2.yaml", routes("v2", true))).exit());
        for (TestGateway g : nodes) {
            Await.until("converged after Consul returned", Duration.ofSeconds(30), () -> status(g, "/second") == 200);
        }
    }

    @Test
    void nodeStartedWhileConsulIsDownServesFromItsSnapshotThenConverges() throws Exception {
        TestGateway first = ConsulNodes.node(consul, "node-1", dir, c -> c);
        assertEquals(0, push(consul, ConsulNodes.write(dir, "v1.yaml", routes("v1", false))).exit());
        Await.until("v1 served", CONVERGE, () -> status(first, "/first") == 200);
        Path snapshot = dir.resolve("node-1-snapshot.json");
        Await.until("snapshot written", CONVERGE, () -> Files.exists(snapshot) && read(snapshot).contains("\"version\":\"v1\""));
        first.close();
        consul.stop();
        TestGateway again = ConsulNodes.node(consul, "node-1", dir, c -> c);
        nodes.add(again);
        assertEquals(200, status(again, "/first"), "served from the snapshot with Consul down");
        assertTrue(adminBody(again, "/admin/consul").contains("\"started-from\":\"snapshot\""));
        consul.start();
        assertEquals(0, push(consul, ConsulNodes.write(dir, "v2.yaml", routes("v2", true))).exit());
        Await.until("converged when Consul came back", Duration.ofSeconds(30), () -> status(again, "/second") == 200);
        assertEquals("v2", again.node().routing().current().version());
    }

    private String kv(String key) {
        try {
            return client.kvGet(key).map(KvEntry::valueUtf8).orElse("");
        } catch (Exception e) {
            return "";
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static String adminBody(TestGateway g, String path) {
        try {
            return g.admin(path).body();
        } catch (Exception e) {
            return "";
        }
    }

}
