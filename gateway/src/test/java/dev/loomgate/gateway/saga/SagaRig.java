package dev.loomgate.gateway.saga;

import dev.loomgate.gateway.demo.DemoParticipant;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.testing.TestGateway;
import jakarta.json.Json;
import jakarta.json.JsonObject;

/**
 * Real parts for saga tests: three participant services (orders, stock, payments), gateway nodes on one Redis with
 * a place-order saga route, a TCC route over the same services, and the saga-status route; plus the invariant checker.
 */
final class SagaRig implements AutoCloseable {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** %1$s orders, %2$s stock, %3$s payments, %4$s lease, %5$s wait, %6$s async. */
    static final String ROUTES = """
            upstreams:
              - name: orders
                endpoints: [ %1$s ]
              - name: stock
                endpoints: [ %2$s ]
              - name: payments
                endpoints: [ %3$s ]
            routes:
              - id: place-order
                upstream: orders
                match: { path: /place-order, methods: [POST] }
                saga:
                  lease: %4$s
                  wait: %5$s
                  async: %6$s
                  steps:
                    - name: order
                      action: { method: POST, path: /try, timeout: 1s, attempts: 3, backoff: 20ms,
                                body: { item: "${request.body.item}", tenant: "${request.headers.x-tenant}", saga: "${saga.id}" } }
                      compensation: { method: POST, path: /cancel, attempts: 3, backoff: 20ms,
                                      body: { order: "${steps.order.body.id}" } }
                    - name: stock
                      upstream: stock
                      action: { method: POST, path: /try, timeout: 1s, attempts: 3, backoff: 20ms,
                                body: { order: "${steps.order.body.id}", qty: "${request.body.qty}" } }
                      compensation: { method: POST, path: /cancel, attempts: 3, backoff: 20ms }
                    - name: payment
                      upstream: payments
                      kind: pivot
                      action: { method: POST, path: /try, timeout: 1s, attempts: 3, backoff: 20ms,
                                body: { order: "${steps.order.body.id}", reject: "${request.body.rejectPayment}" } }
                  response:
                    status: 201
                    body: { orderId: "${steps.order.body.id}", reservation: "${steps.stock.body.id}",
                            payment: "${steps.payment.body.id}", saga: "${saga.id}" }
              - id: place-order-parallel
                upstream: orders
                match: { path: /place-order-parallel, methods: [POST] }
                saga:
                  lease: %4$s
                  wait: %5$s
                  steps:
                    - parallel:
                        - name: order
                          action: { method: POST, path: /try, timeout: 2s, attempts: 2, backoff: 20ms, body: { item: "${request.body.item}" } }
                          compensation: { method: POST, path: /cancel, attempts: 3, backoff: 20ms }
                        - name: stock
                          upstream: stock
                          action: { method: POST, path: /try, timeout: 2s, attempts: 2, backoff: 20ms, body: { reject: "${request.body.rejectStock}" } }
                          compensation: { method: POST, path: /cancel, attempts: 3, backoff: 20ms }
                    - name: payment
                      upstream: payments
                      kind: pivot
                      action: { method: POST, path: /try, timeout: 1s, attempts: 2, backoff: 20ms,
                                body: { order: "${steps.order.body.id}", stock: "${steps.stock.body.id}" } }
              - id: ship-order
                upstream: orders
                match: { path: /ship-order, methods: [POST] }
                saga:
                  lease: %4$s
                  wait: %5$s
                  steps:
                    - name: order
                      action: { method: POST, path: /try, timeout: 1s, attempts: 2, backoff: 20ms }
                      compensation: { method: POST, path: /cancel, attempts: 3, backoff: 20ms }
                    - name: payment
                      upstream: payments
                      kind: pivot
                      action: { method: POST, path: /try, timeout: 1s, attempts: 2, backoff: 20ms }
                    - name: ship
                      upstream: stock
                      kind: retriable
                      action: { method: POST, path: /try, timeout: 1s, attempts: 3, backoff: 20ms }
              - id: book-tcc
                upstream: orders
                match: { path: /book, methods: [POST] }
                tcc:
                  lease: %4$s
                  wait: %5$s
                  steps:
                    - name: order
                      try: { method: POST, path: /try, timeout: 1s, attempts: 2, backoff: 20ms, body: { item: "${request.body.item}" } }
                      confirm: { method: POST, path: /confirm, attempts: 3, backoff: 20ms }
                      cancel: { method: POST, path: /cancel, attempts: 3, backoff: 20ms }
                    - name: stock
                      upstream: stock
                      try: { method: POST, path: /try, timeout: 1s, attempts: 2, backoff: 20ms, body: { reject: "${request.body.rejectStock}" } }
                      confirm: { method: POST, path: /confirm, attempts: 3, backoff: 20ms }
                      cancel: { method: POST, path: /cancel, attempts: 3, backoff: 20ms }
                    - name: payment
                      upstream: payments
                      try: { method: POST, path: /try, timeout: 1s, attempts: 2, backoff: 20ms }
                      confirm: { method: POST, path: /confirm, attempts: 3, backoff: 20ms }
                      cancel: { method: POST, path: /cancel, attempts: 3, backoff: 20ms }
              - id: saga-status
                upstream: orders
                match: { path-prefix: /sagas/ }
                saga-status: true
            """;

    final DemoParticipant orders;
    final DemoParticipant stock;
    final DemoParticipant payments;
    final RedisSettings redis;
    final String routes;
    final List<TestGateway> nodes = new ArrayList<>();

    SagaRig(RedisSettings redis, String lease, String wait, boolean async) throws IOException {
        this.orders = DemoParticipant.start("orders");
        this.stock = DemoParticipant.start("stock");
        this.payments = DemoParticipant.start("payments");
        this.redis = redis.toBuilder().readTimeout(Duration.ofSeconds(2)).connectTimeout(Duration.ofSeconds(1)).build();
        this.routes = ROUTES.formatted(orders.address(), stock.address(), payments.address(), lease, wait, async);
    }

    TestGateway startNode() throws Exception {
        TestGateway g = TestGateway.start(routes, c -> c.toBuilder().redis(redis).build());
        nodes.add(g);
        return g;
    }

    static SagaService sagas(TestGateway g) {
        return g.node().sagas().orElseThrow();
    }

    static HttpResponse<String> post(TestGateway g, String path, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(g.uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("X-Tenant", "acme")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> adminPost(TestGateway g, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.adminPort() + path))
                .timeout(Duration.ofSeconds(30)).header("X-Loomgate-Admin", "1").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonObject json(String body) {
        return Json.createReader(new java.io.StringReader(body)).readObject();
    }

    /**
     * The invariant: a completed saga holds a reservation at every participant it ran; a compensated (or aborted)
     * one holds none; no participant holds a reservation for a saga that is not completed.
     *
     * @param states final state per saga id, as the log says
     * @return the violations, empty when the invariant holds
     */
    List<String> violations(Map<String, String> states, boolean tcc) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : states.entrySet()) {
            String id = e.getKey();
            for (DemoParticipant p : List.of(orders, stock, payments)) {
                Optional<DemoParticipant.Holding> h = p.holding(id);
                boolean holds = h.isPresent() && (h.get() == DemoParticipant.Holding.RESERVED || h.get() == DemoParticipant.Holding.CONFIRMED);
                if (e.getValue().equals("completed")) {
                    DemoParticipant.Holding want = tcc ? DemoParticipant.Holding.CONFIRMED : DemoParticipant.Holding.RESERVED;
                    if (h.isEmpty() || h.get() != want) {
                        out.add("saga " + id + " completed but " + p + " holds " + h);
                    }
                } else if (holds) {
                    out.add("saga " + id + " is " + e.getValue() + " but " + p + " still holds " + h.get());
                }
            }
        }
        return out;
    }

    /** Reservations held for sagas that are not completed (or unknown): for runs where {@code states} has every saga. */
    List<String> orphans(Map<String, String> states) {
        List<String> out = new ArrayList<>();
        for (DemoParticipant p : List.of(orders, stock, payments)) {
            p.holdings().forEach((id, h) -> {
                if ((h == DemoParticipant.Holding.RESERVED || h == DemoParticipant.Holding.CONFIRMED) && !"completed".equals(states.get(id))) {
                    out.add(p + " holds " + h + " for saga " + id + " whose state is " + states.get(id));
                }
            });
        }
        return out;
    }

    long duplicateEffects() {
        return orders.duplicateEffects() + stock.duplicateEffects() + payments.duplicateEffects();
    }

    long redeliveries() {
        return orders.redeliveries() + stock.redeliveries() + payments.redeliveries();
    }

    @Override
    public void close() {
        nodes.forEach(TestGateway::close);
        orders.close();
        stock.close();
        payments.close();
    }
}
