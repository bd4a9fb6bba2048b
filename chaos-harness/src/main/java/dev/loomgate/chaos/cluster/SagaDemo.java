package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.loomgate.chaos.cluster.ClusterLayout.Host;

/**
 * The demo cluster's composite route (docs/SAGAS.md): the orders, stock and payments participants
 * ({@code DemoParticipant}, one process each, on the first upstream host at its upstream port + 100..102, tracked by
 * PID like every cluster process), the {@code place-order} saga route and the {@code saga-status} route added to the
 * demo routes, and the smoke check that one saga completes through the front.
 */
public final class SagaDemo {
    /** Participant names in the order of their ports. */
    public static final List<String> PARTICIPANTS = List.of("orders", "stock", "payments");
    static final int PORT_OFFSET = 100;
    private static final Pattern UPSTREAMS_LINE = Pattern.compile("(?m)^upstreams:[ \\t]*$");
    private static final Pattern ROUTES_LINE = Pattern.compile("(?m)^routes:[ \\t]*$");
    private static final String ROUTES = """
              - id: place-order
                upstream: orders
                match: { path: /place-order, methods: [POST] }
                saga:
                  wait: 5s
                  lease: 3s
                  steps:
                    - name: order
                      action: { method: POST, path: /try, timeout: 2s, attempts: 3, backoff: 50ms, body: { item: "${request.body.item}" } }
                      compensation: { method: POST, path: /cancel, attempts: 5, backoff: 50ms }
                    - name: stock
                      upstream: stock
                      action: { method: POST, path: /try, timeout: 2s, attempts: 3, backoff: 50ms, body: { order: "${steps.order.body.id}", qty: "${request.body.qty}" } }
                      compensation: { method: POST, path: /cancel, attempts: 5, backoff: 50ms }
                    - name: payment
                      upstream: payments
                      kind: pivot
                      action: { method: POST, path: /try, timeout: 2s, attempts: 3, backoff: 50ms, body: { order: "${steps.order.body.id}", reject: "${request.body.rejectPayment}" } }
                  response:
                    status: 201
                    body: { orderId: "${steps.order.body.id}", reservation: "${steps.stock.body.id}", payment: "${steps.payment.body.id}" }
              - id: saga-status
                upstream: orders
                match: { path-prefix: /sagas/ }
                saga-status: true
            """;

    private final Map<String, String> addresses;
    private final List<ManagedProcess> processes;

    private SagaDemo(Map<String, String> addresses, List<ManagedProcess> processes) {
        this.addresses = Map.copyOf(addresses);
        this.processes = List.copyOf(processes);
    }

    /** {@code host:port} of every participant on {@code host} (its upstream port + 100, + 101, + 102). */
    static Map<String, String> addresses(String address, int upstreamPort) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < PARTICIPANTS.size(); i++) {
            out.put(PARTICIPANTS.get(i), address + ":" + (upstreamPort + PORT_OFFSET + i));
        }
        return out;
    }

    /**
     * Starts the three participants on the first upstream host and waits until each answers {@code GET /state}.
     *
     * @param java    the launcher command for a small JVM with these arguments
     * @param starter registers the process with the cluster (stopped by PID on close) and starts it
     */
    static SagaDemo start(ClusterLayout layout, Path gatewayJar, Probes probes, Function<List<String>, List<String>> java,
                          Path workDir, CentralLogs.ProcessStarter starter, Consumer<String> progress, Duration ready)
            throws IOException {
        Host h = layout.group("upstreams").get(0);
        Map<String, String> addresses = addresses(h.address(), h.port("upstream", "port"));
        List<ManagedProcess> started = new ArrayList<>();
        for (Map.Entry<String, String> p : addresses.entrySet()) {
            String[] hostPort = p.getValue().split(":");
            List<String> cmd = java.apply(List.of("-XX:TieredStopAtLevel=1", "-Xmx48m", "-cp", gatewayJar.toString(),
                    "dev.loomgate.gateway.demo.DemoParticipant", p.getKey() + ":" + hostPort[0] + ":" + hostPort[1]));
            String url = "http://" + p.getValue() + "/state";
            ManagedProcess mp = new ManagedProcess("participant-" + p.getKey(), h.name(), h.netns(), cmd, Map.of(),
                    workDir, () -> probes.ok(h.netns(), url), () -> { }, progress);
            starter.start(mp);
            started.add(mp);
        }
        for (ManagedProcess p : started) {
            p.awaitReady(ready);
        }
        progress.accept("saga participants ready: " + addresses);
        return new SagaDemo(addresses, started);
    }

    /** The routes document with the participants' upstreams and the place-order and saga-status routes. */
    public static String withSagaRoutes(String document, Map<String, String> addresses) {
        Matcher u = UPSTREAMS_LINE.matcher(document);
        Matcher r = ROUTES_LINE.matcher(document);
        if (!u.find() || !r.find() || r.start() < u.end()) {
            throw new IllegalArgumentException("the routes document needs top-level 'upstreams:' then 'routes:' lines");
        }
        StringBuilder ups = new StringBuilder();
        addresses.forEach((name, address) -> ups.append("\n  - { name: ").append(name).append(", endpoints: [ ")
                .append(address).append(" ] }"));
        return document.substring(0, u.end()) + ups + document.substring(u.end(), r.end()) + "\n"
                + ROUTES.stripTrailing() + document.substring(r.end());
    }

    public Map<String, String> addresses() {
        return addresses;
    }

    /** Base URL per participant ({@code GET /state}, {@code POST /control/jitter?ms=}). */
    public Map<String, URI> urls() {
        Map<String, URI> out = new LinkedHashMap<>();
        addresses.forEach((n, a) -> out.put(n, URI.create("http://" + a)));
        return out;
    }

    public List<ManagedProcess> processes() {
        return processes;
    }

    /** The smoke check: one saga through the front completes (201) and its status URL says so. */
    static SmokeCheck.Result check(Probes probes, Optional<String> ns, String front) throws IOException {
        HttpResponse r = probes.post(ns, front + "/place-order", "{\"item\":\"smoke\",\"qty\":1}",
                Duration.ofSeconds(10));
        Optional<String> id = r.header("Saga-Id");
        if (r.status() != 201 || id.isEmpty()) {
            return new SmokeCheck.Result("place-order saga", false, "POST /place-order -> " + r.status() + " "
                    + r.body().strip());
        }
        HttpResponse status = probes.get(ns, front + "/sagas/" + id.get(), Map.of(), Duration.ofSeconds(5));
        boolean ok = status.status() == 200 && status.body().contains("\"state\":\"completed\"")
                && r.body().contains("\"orderId\":\"orders-");
        return new SmokeCheck.Result("place-order saga", ok, "POST /place-order -> 201 " + r.body().strip()
                + "; GET /sagas/" + id.get() + " -> " + status.status() + (ok ? " completed" : " " + status.body()));
    }
}
