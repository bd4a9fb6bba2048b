package dev.loomgate.consul.standin.api;

import dev.loomgate.consul.standin.store.CatalogService;
import dev.loomgate.consul.standin.store.CheckDefinition;
import dev.loomgate.consul.standin.store.CheckState;
import dev.loomgate.consul.standin.store.GoDuration;
import dev.loomgate.consul.standin.store.HealthEntry;
import dev.loomgate.consul.standin.store.KvEntry;
import dev.loomgate.consul.standin.store.NodeIdentity;
import dev.loomgate.consul.standin.store.ServiceDefinition;
import dev.loomgate.consul.standin.store.Session;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON shapes of Consul's responses (field names and types as in the fixtures and Consul's structs). */
final class Render {
    static final String CONSUL_VERSION = "1.18.0";
    private static final JsonObject EMPTY = JsonValue.EMPTY_JSON_OBJECT;

    private Render() {
    }

    static BigInteger unsigned(long value) {
        return new BigInteger(Long.toUnsignedString(value));
    }

    static JsonObject kvEntry(KvEntry e) {
        byte[] value = e.value();
        JsonObjectBuilder b = JsonBuilders.object()
                .add("LockIndex", unsigned(e.lockIndex()))
                .add("Key", e.key())
                .add("Flags", unsigned(e.flags()));
        if (value.length == 0) {
            b.addNull("Value");
        } else {
            b.add("Value", Base64.getEncoder().encodeToString(value));
        }
        e.lockSession().ifPresent(s -> b.add("Session", s));
        return b.add("CreateIndex", unsigned(e.createIndex())).add("ModifyIndex", unsigned(e.modifyIndex())).build();
    }

    static JsonObject nodeTaggedAddresses(NodeIdentity node) {
        return JsonBuilders.object().add("lan", node.address()).add("lan_ipv4", node.address())
                .add("wan", node.address()).add("wan_ipv4", node.address()).build();
    }

    static JsonObject nodeMeta() {
        return JsonBuilders.object().add("consul-network-segment", "").add("consul-version", CONSUL_VERSION)
                .build();
    }

    static JsonObject healthEntry(HealthEntry entry) {
        NodeIdentity node = entry.node().identity();
        JsonObject nodeJson = JsonBuilders.object()
                .add("ID", node.nodeId()).add("Node", node.nodeName()).add("Address", node.address())
                .add("Datacenter", node.datacenter()).add("TaggedAddresses", nodeTaggedAddresses(node))
                .add("Meta", nodeMeta())
                .add("CreateIndex", entry.node().createIndex()).add("ModifyIndex", entry.node().modifyIndex())
                .build();
        ServiceDefinition s = entry.service().definition();
        JsonObjectBuilder service = JsonBuilders.object();
        if (!s.kind().isEmpty()) {
            service.add("Kind", s.kind());
        }
        service.add("ID", s.id()).add("Service", s.name()).add("Tags", strings(s.tags()))
                .add("Address", s.address());
        JsonObject tagged = serviceTaggedAddresses(s);
        if (!tagged.isEmpty()) {
            service.add("TaggedAddresses", tagged);
        }
        service.add("Meta", stringMap(s.meta())).add("Port", s.port()).add("Weights", weights(s))
                .add("EnableTagOverride", s.enableTagOverride()).add("Proxy", proxy()).add("Connect", EMPTY)
                .add("PeerName", "")
                .add("CreateIndex", entry.service().createIndex()).add("ModifyIndex", entry.service().modifyIndex());
        JsonArrayBuilder checks = JsonBuilders.array();
        entry.checks().forEach(c -> checks.add(check(c, node)));
        return JsonBuilders.object().add("Node", nodeJson).add("Service", service).add("Checks", checks)
                .build();
    }

    static JsonObject check(CheckState c, NodeIdentity node) {
        CheckDefinition d = c.definition();
        return JsonBuilders.object()
                .add("Node", node.nodeName()).add("CheckID", d.checkId()).add("Name", d.name())
                .add("Status", c.status()).add("Notes", d.notes()).add("Output", c.output())
                .add("ServiceID", d.serviceId()).add("ServiceName", c.serviceName())
                .add("ServiceTags", strings(c.serviceTags())).add("Type", d.type())
                .add("Interval", duration(d.interval())).add("Timeout", duration(d.timeout()))
                .add("ExposedPort", 0).add("Definition", definition(d))
                .add("CreateIndex", c.createIndex()).add("ModifyIndex", c.modifyIndex())
                .build();
    }

    private static JsonObject definition(CheckDefinition d) {
        JsonObjectBuilder b = JsonBuilders.object();
        putIfNotEmpty(b, "HTTP", d.http());
        putIfNotEmpty(b, "Method", d.method());
        putIfNotEmpty(b, "Body", d.body());
        putIfNotEmpty(b, "TCP", d.tcp());
        if (!d.header().isEmpty()) {
            JsonObjectBuilder headers = JsonBuilders.object();
            d.header().forEach((k, v) -> headers.add(k, strings(v)));
            b.add("Header", headers);
        }
        if (d.tlsSkipVerify()) {
            b.add("TLSSkipVerify", true);
        }
        putIfNotEmpty(b, "Interval", duration(d.interval()));
        putIfNotEmpty(b, "Timeout", duration(d.timeout()));
        putIfNotEmpty(b, "DeregisterCriticalServiceAfter", duration(d.deregisterCriticalServiceAfter()));
        return b.build();
    }

    private static void putIfNotEmpty(JsonObjectBuilder b, String name, String value) {
        if (!value.isEmpty()) {
            b.add(name, value);
        }
    }

    static String duration(Duration d) {
        return d.isZero() ? "" : GoDuration.format(d);
    }

    static JsonObject catalogServiceNode(CatalogService service, NodeIdentity node) {
        ServiceDefinition s = service.definition();
        JsonObjectBuilder b = JsonBuilders.object()
                .add("ID", node.nodeId()).add("Node", node.nodeName()).add("Address", node.address())
                .add("Datacenter", node.datacenter()).add("TaggedAddresses", nodeTaggedAddresses(node))
                .add("NodeMeta", nodeMeta()).add("ServiceKind", s.kind()).add("ServiceID", s.id())
                .add("ServiceName", s.name()).add("ServiceTags", strings(s.tags()))
                .add("ServiceAddress", s.address());
        JsonObject tagged = serviceTaggedAddresses(s);
        if (!tagged.isEmpty()) {
            b.add("ServiceTaggedAddresses", tagged);
        }
        return b.add("ServiceWeights", weights(s)).add("ServiceMeta", stringMap(s.meta()))
                .add("ServicePort", s.port()).add("ServiceSocketPath", "")
                .add("ServiceEnableTagOverride", s.enableTagOverride()).add("ServiceProxy", proxy())
                .add("ServiceConnect", EMPTY).addNull("ServiceLocality").add("ServicePeerName", "")
                .add("CreateIndex", service.createIndex()).add("ModifyIndex", service.modifyIndex())
                .build();
    }

    static JsonObject agentService(CatalogService service, NodeIdentity node) {
        ServiceDefinition s = service.definition();
        JsonObjectBuilder b = JsonBuilders.object();
        if (!s.kind().isEmpty()) {
            b.add("Kind", s.kind());
        }
        b.add("ID", s.id()).add("Service", s.name()).add("Tags", strings(s.tags()))
                .add("Meta", stringMap(s.meta())).add("Port", s.port()).add("Address", s.address());
        JsonObject tagged = serviceTaggedAddresses(s);
        if (!tagged.isEmpty()) {
            b.add("TaggedAddresses", tagged);
        }
        return b.add("Weights", weights(s)).add("EnableTagOverride", s.enableTagOverride())
                .add("Datacenter", node.datacenter()).build();
    }

    /** Registered tagged addresses plus the lan_ipv4/wan_ipv4 entries the agent adds for IPv4 addresses. */
    private static JsonObject serviceTaggedAddresses(ServiceDefinition s) {
        Map<String, ServiceDefinition.TaggedAddress> all = new LinkedHashMap<>();
        if (s.address().matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            all.put("lan_ipv4", new ServiceDefinition.TaggedAddress(s.address(), s.port()));
            all.put("wan_ipv4", new ServiceDefinition.TaggedAddress(s.address(), s.port()));
        }
        all.putAll(s.taggedAddresses());
        JsonObjectBuilder b = JsonBuilders.object();
        all.forEach((k, v) -> b.add(k, JsonBuilders.object().add("Address", v.address()).add("Port", v.port())));
        return b.build();
    }

    private static JsonObject weights(ServiceDefinition s) {
        return JsonBuilders.object().add("Passing", s.weightPassing()).add("Warning", s.weightWarning()).build();
    }

    private static JsonObject proxy() {
        return JsonBuilders.object().add("Mode", "").add("MeshGateway", EMPTY).add("Expose", EMPTY).build();
    }

    static JsonObject session(Session s) {
        JsonObjectBuilder b = JsonBuilders.object()
                .add("ID", s.id()).add("Name", s.name()).add("Node", s.node())
                .add("LockDelay", s.lockDelay().toNanos()).add("Behavior", s.behavior())
                .add("TTL", duration(s.ttl())).add("NodeChecks", strings(s.nodeChecks()));
        if (s.serviceChecks().isEmpty()) {
            b.addNull("ServiceChecks");
        } else {
            JsonArrayBuilder checks = JsonBuilders.array();
            s.serviceChecks().forEach(id -> checks.add(JsonBuilders.object().add("ID", id)));
            b.add("ServiceChecks", checks);
        }
        return b.add("CreateIndex", s.createIndex()).add("ModifyIndex", s.modifyIndex()).build();
    }

    static JsonObject agentSelf(NodeIdentity node, int httpPort) {
        JsonObject config = JsonBuilders.object()
                .add("Datacenter", node.datacenter()).add("PrimaryDatacenter", node.datacenter())
                .add("NodeName", node.nodeName()).add("NodeID", node.nodeId()).add("Revision", "standin")
                .add("Server", true).add("Version", CONSUL_VERSION).add("BuildDate", "2024-01-01T00:00:00Z")
                .build();
        JsonArrayBuilder vec = JsonBuilders.array();
        for (int i = 0; i < 8; i++) {
            vec.add(0);
        }
        JsonObject coord = JsonBuilders.object().add("Vec", vec).add("Error", 1.5).add("Adjustment", 0)
                .add("Height", 1.0e-5).build();
        JsonObject member = JsonBuilders.object()
                .add("Name", node.nodeName()).add("Addr", node.address()).add("Port", 8301)
                .add("Tags", JsonBuilders.object().add("bootstrap", "1").add("build", CONSUL_VERSION)
                        .add("dc", node.datacenter()).add("id", node.nodeId()).add("port", "8300")
                        .add("role", "consul").add("vsn", "2").add("vsn_max", "3").add("vsn_min", "2"))
                .add("Status", 1).add("ProtocolMin", 1).add("ProtocolMax", 5).add("ProtocolCur", 2)
                .add("DelegateMin", 2).add("DelegateMax", 5).add("DelegateCur", 4).build();
        JsonObject stats = JsonBuilders.object()
                .add("agent", JsonBuilders.object().add("checks", "0").add("services", "0"))
                .add("consul", JsonBuilders.object().add("leader", "true").add("server", "true")
                        .add("known_datacenters", "1"))
                .add("build", JsonBuilders.object().add("version", CONSUL_VERSION).add("prerelease", ""))
                .build();
        JsonObject xds = JsonBuilders.object().add("SupportedProxies", EMPTY).add("Port", -1)
                .add("Ports", JsonBuilders.object().add("Plaintext", -1).add("TLS", -1)).build();
        return JsonBuilders.object().add("Config", config).add("DebugConfig",
                        JsonBuilders.object().add("HTTPPort", httpPort))
                .add("Coord", coord).add("Member", member).add("Stats", stats).add("Meta", nodeMeta())
                .add("xDS", xds).build();
    }

    static JsonArrayBuilder strings(Collection<String> values) {
        JsonArrayBuilder b = JsonBuilders.array();
        values.forEach(b::add);
        return b;
    }

    static JsonObject stringMap(Map<String, String> values) {
        JsonObjectBuilder b = JsonBuilders.object();
        values.forEach(b::add);
        return b.build();
    }

    static JsonArrayBuilder objects(List<JsonObject> values) {
        JsonArrayBuilder b = JsonBuilders.array();
        values.forEach(b::add);
        return b;
    }
}
