package dev.loomgate.gateway.saga;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.yaml.ConfigException;
import org.junit.jupiter.api.Test;

/** Malformed saga definitions are rejected at the routes file's line with the field and the reason. */
class SagaDefinitionTest {
    private static final String HEAD = """
            upstreams:
              - name: orders
                endpoints: [ 127.0.0.1:1 ]
              - name: stock
                endpoints: [ 127.0.0.1:2 ]
            routes:
              - id: place
                upstream: orders
                saga:
                  steps:
            """;

    private static ConfigException rejected(String steps) {
        return assertThrows(ConfigException.class, () -> RoutesParser.parse(HEAD + steps, "routes.yaml"));
    }

    @Test
    void aValidDefinitionParses() throws Exception {
        RoutesDocument doc = RoutesParser.parse(HEAD + """
                      - name: order
                        action: { method: POST, path: /orders, body: { id: "${request.body.orderId}", n: 3 } }
                        compensation: { method: DELETE, path: "/orders/${steps.order.body.id}" }
                      - name: pay
                        upstream: stock
                        kind: pivot
                        action: { method: POST, path: /pay, body: { order: "${steps.order.body.id}", who: "${request.headers.x-user}" } }
                """, "routes.yaml");
        assertEquals(1, doc.routes().size());
    }

    @Test
    void unknownUpstream() {
        ConfigException e = rejected("""
                      - name: order
                        upstream: nowhere
                        action: { method: POST, path: /o }
                        compensation: { method: POST, path: /c }
                """);
        assertTrue(e.getMessage().contains("routes.yaml:12") && e.getMessage().contains("unknown upstream 'nowhere'"), e.getMessage());
    }

    @Test
    void missingCompensation() {
        ConfigException e = rejected("""
                      - name: order
                        action: { method: POST, path: /o }
                """);
        assertTrue(e.getMessage().contains("routes.yaml:11") && e.getMessage().contains("needs a compensation"), e.getMessage());
    }

    @Test
    void referenceToALaterStepIsACycle() {
        ConfigException e = rejected("""
                      - name: order
                        action: { method: POST, path: /o, body: { p: "${steps.pay.body.id}" } }
                        compensation: { method: POST, path: /c }
                      - name: pay
                        kind: pivot
                        action: { method: POST, path: "/p/${steps.order.body.id}" }
                """);
        assertTrue(e.getMessage().contains("routes.yaml:12") && e.getMessage().contains("forward reference"), e.getMessage());
    }

    @Test
    void referenceToAnUnknownStep() {
        ConfigException e = rejected("""
                      - name: order
                        action: { method: POST, path: "/o/${steps.ghost.body.id}" }
                        compensation: { method: POST, path: /c }
                """);
        assertTrue(e.getMessage().contains("steps.ghost") && e.getMessage().contains("unknown step"), e.getMessage());
    }

    @Test
    void badExpressionAndKindOrder() {
        ConfigException expr = rejected("""
                      - name: order
                        action: { method: POST, path: "/o/${env.HOME}" }
                        compensation: { method: POST, path: /c }
                """);
        assertTrue(expr.getMessage().contains("must start with request, steps or saga"), expr.getMessage());
        ConfigException order = rejected("""
                      - name: pay
                        kind: pivot
                        action: { method: POST, path: /p }
                      - name: order
                        action: { method: POST, path: /o }
                        compensation: { method: POST, path: /c }
                """);
        assertTrue(order.getMessage().contains("compensatable after a pivot"), order.getMessage());
        ConfigException unknownKey = rejected("""
                      - name: order
                        action: { method: POST, path: /o, script: "rm -rf" }
                        compensation: { method: POST, path: /c }
                """);
        assertTrue(unknownKey.getMessage().contains("unknown key"), unknownKey.getMessage());
    }

    @Test
    void parallelGroupMembersCannotReadEachOther() {
        ConfigException e = rejected("""
                      - parallel:
                          - name: a
                            action: { method: POST, path: /a }
                            compensation: { method: POST, path: /c }
                          - name: b
                            action: { method: POST, path: "/b/${steps.a.body.id}" }
                            compensation: { method: POST, path: /c }
                """);
        assertTrue(e.getMessage().contains("forward reference"), e.getMessage());
        ConfigException single = rejected("""
                      - parallel:
                          - name: a
                            action: { method: POST, path: /a }
                            compensation: { method: POST, path: /c }
                """);
        assertTrue(single.getMessage().contains("at least 2 steps"), single.getMessage());
    }

    @Test
    void theDemoFilesAreValid() throws Exception {
        String routes = new String(getClass().getResourceAsStream("/examples/sagas-routes.yaml").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        RoutesDocument doc = RoutesParser.parse(routes, "sagas-routes.yaml");
        assertEquals(3, doc.routes().size());
        String node = new String(getClass().getResourceAsStream("/examples/sagas-gateway.yaml").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(dev.loomgate.gateway.config.NodeConfigParser.parse(node, "sagas-gateway.yaml").redis().isPresent());
    }

    @Test
    void aNodeWithoutRedisRefusesCompositeRoutes() {
        Exception e = assertThrows(Exception.class, () -> dev.loomgate.gateway.testing.TestGateway.start(HEAD + """
                      - name: order
                        action: { method: POST, path: /o }
                        compensation: { method: POST, path: /c }
                """).close());
        String all = e + " " + e.getCause();
        assertTrue(all.contains("SagaService") && all.contains("redis"), all);
    }
}
