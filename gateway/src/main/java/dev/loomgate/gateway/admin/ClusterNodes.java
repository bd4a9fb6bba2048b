package dev.loomgate.gateway.admin;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import dev.loomgate.gateway.consul.ServiceInstance;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

/**
 * The cluster's nodes for {@code GET /admin/cluster}: the list comes from Consul (the
 * {@code loomgate} service this node watches, any health); each peer's phase, version, applied
 * config version and uptime come from its own {@code GET /admin/node}, asked in parallel with the
 * same admin token and a short timeout, so a drain shows at once instead of after the next Consul
 * check. A draining node deregisters first (load balancers and peers stop counting it), so nodes
 * Consul listed within the last {@link #REMEMBER} stay on the list as {@code deregistered} while
 * they drain and until they are forgotten. Without Consul the list is this node only.
 */
final class ClusterNodes {
    private static final JsonProvider JSON = JsonProvider.provider();
    private static final Duration PEER_TIMEOUT = Duration.ofMillis(1500);
    /** How long a node Consul no longer lists stays on the page (a drain, then its stop). */
    static final Duration REMEMBER = Duration.ofMinutes(2);

    /** A node as Consul last listed it, and when. */
    private record Known(ServiceInstance instance, Instant lastListed) {
    }

    private final Map<String, Known> known = new ConcurrentHashMap<>();

    private final String selfId;
    private final Supplier<JsonObject> self;
    private final Supplier<Optional<List<ServiceInstance>>> consulNodes;
    private final Optional<String> token;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(PEER_TIMEOUT)
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();

    /**
     * @param self        this node's {@code /admin/node} document
     * @param consulNodes the registered nodes when this node registers in Consul, else empty
     */
    ClusterNodes(String selfId, Supplier<JsonObject> self, Supplier<Optional<List<ServiceInstance>>> consulNodes,
                 Optional<String> token) {
        this.selfId = selfId;
        this.self = self;
        this.consulNodes = consulNodes;
        this.token = token;
    }

    JsonObject json() {
        Optional<List<ServiceInstance>> registered = consulNodes.get();
        var nodes = JSON.createArrayBuilder();
        if (registered.isEmpty()) {
            nodes.add(JSON.createObjectBuilder(self.get()).add("self", true).add("reachable", true)
                    .add("consulStatus", JsonValue.NULL));
            return JSON.createObjectBuilder().add("self", selfId).add("source", "this-node").add("nodes", nodes).build();
        }
        Instant now = Instant.now();
        Set<String> listed = new HashSet<>();
        for (ServiceInstance i : registered.get()) {
            known.put(i.serviceId(), new Known(i, now));
            listed.add(i.serviceId());
        }
        known.values().removeIf(k -> k.lastListed().plus(REMEMBER).isBefore(now));
        List<ServiceInstance> list = new ArrayList<>(known.values().stream().map(Known::instance).toList());
        list.sort(java.util.Comparator.comparing(ServiceInstance::serviceId));
        if (list.stream().noneMatch(i -> i.serviceId().equals(selfId))) {
            // not (yet) registered, or Consul forgot us: the page still shows the node it is served by
            nodes.add(JSON.createObjectBuilder(self.get()).add("self", true).add("reachable", true)
                    .add("consulStatus", "unregistered"));
        }
        List<CompletableFuture<JsonObjectBuilder>> answers = new ArrayList<>();
        for (ServiceInstance i : list) {
            answers.add(i.serviceId().equals(selfId)
                    ? CompletableFuture.completedFuture(JSON.createObjectBuilder(self.get()).add("self", true)
                            .add("reachable", true))
                    : peer(i));
        }
        for (int n = 0; n < list.size(); n++) {
            ServiceInstance i = list.get(n);
            JsonObjectBuilder b = answers.get(n).join();
            b.add("id", i.serviceId()).add("address", i.address()).add("port", i.port())
                    .add("adminPort", i.meta().getOrDefault("admin-port", ""))
                    .add("consulStatus", listed.contains(i.serviceId()) ? i.status() : "deregistered");
            if (!i.serviceId().equals(selfId)) {
                b.add("self", false);
            }
            nodes.add(b);
        }
        return JSON.createObjectBuilder().add("self", selfId).add("source", "consul").add("nodes", nodes).build();
    }

    private CompletableFuture<JsonObjectBuilder> peer(ServiceInstance i) {
        String adminPort = i.meta().getOrDefault("admin-port", "");
        String host = i.address().contains(":") ? "[" + i.address() + "]" : i.address();
        URI uri;
        try {
            uri = URI.create("http://" + host + ":" + Integer.parseInt(adminPort) + "/admin/node");
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(unreachable(i, "no admin-port in its Consul registration"));
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(PEER_TIMEOUT).GET();
        token.ifPresent(t -> req.header("Authorization", "Bearer " + t));
        return http.sendAsync(req.build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(res -> {
                    if (res.statusCode() != 200) {
                        return unreachable(i, "its /admin/node answered " + res.statusCode()
                                + (res.statusCode() == 401 ? " (a different admin token?)" : ""));
                    }
                    try (var reader = JSON.createReader(new StringReader(res.body()))) {
                        return JSON.createObjectBuilder(reader.readObject()).add("reachable", true);
                    }
                })
                .exceptionally(e -> unreachable(i, "its admin port did not answer: "
                        + Optional.ofNullable(e.getCause()).orElse(e).getClass().getSimpleName()));
    }

    private static JsonObjectBuilder unreachable(ServiceInstance i, String why) {
        return JSON.createObjectBuilder().add("reachable", false).add("error", why)
                .add("version", i.meta().getOrDefault("version", ""));
    }
}
