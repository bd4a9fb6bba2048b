package dev.loomgate.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.loomgate.gateway.client.ClientSettings;
import dev.loomgate.gateway.client.UpstreamClient;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.frontdoor.FrontDoorServer;
import dev.loomgate.gateway.frontdoor.FrontDoorSettings;
import dev.loomgate.gateway.observe.AccessLog;
import dev.loomgate.gateway.observe.GatewayMetrics;
import dev.loomgate.gateway.pipeline.Attribute;
import dev.loomgate.gateway.pipeline.Filter;
import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.FilterFactory;
import dev.loomgate.gateway.pipeline.FilterRegistry;
import dev.loomgate.gateway.pipeline.ParseContext;
import dev.loomgate.gateway.pipeline.Phase;
import dev.loomgate.gateway.policy.headers.HeaderOpsFilterFactory;
import dev.loomgate.gateway.resilience.ResilienceMetrics;
import dev.loomgate.gateway.resilience.ResilienceRegistry;
import dev.loomgate.gateway.routing.RoutingState;
import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * The pipeline through the real proxy shell and front door, with policies registered only for this test: what a
 * new policy can rely on (attributes between filters, upstream headers, hooks on relayed and gateway answers) and
 * what happens when one breaks the chain's rule.
 */
class PipelineProxyTest {
    private static final Attribute<String> CALLER = Attribute.create("caller", String.class);

    /** AUTHENTICATION: names the caller from a header, or answers 401; a value "lazy" does nothing at all. */
    record WhoFactory() implements FilterFactory<String> {
        @Override
        public String key() {
            return "who";
        }

        @Override
        public Phase phase() {
            return Phase.AUTHENTICATION;
        }

        @Override
        public String parse(YamlValue node, ParseContext context) throws ConfigException {
            return node.string();
        }

        @Override
        public Filter create(String mode, FilterContext context) {
            if (mode.equals("lazy")) {
                return (exchange, chain) -> {
                };
            }
            return (exchange, chain) -> {
                var caller = exchange.request().header("X-Caller");
                if (caller.isEmpty()) {
                    exchange.answer(new dev.loomgate.gateway.http.Problem(
                            dev.loomgate.gateway.http.Problem.Type.BAD_REQUEST, "who are you?"));
                    return;
                }
                exchange.attribute(CALLER, caller.get());
                exchange.onResponseHead(head -> head.headers().set("X-Seen-By", "who:" + head.status()
                        + (head.fromUpstream() ? ":upstream" : ":gateway")));
                chain.proceed();
            };
        }
    }

    /** REQUEST_TRANSFORMATION: hands the caller named earlier to the upstream. */
    record StampFactory() implements FilterFactory<Boolean> {
        @Override
        public String key() {
            return "stamp";
        }

        @Override
        public Phase phase() {
            return Phase.REQUEST_TRANSFORMATION;
        }

        @Override
        public Boolean parse(YamlValue node, ParseContext context) throws ConfigException {
            return node.bool();
        }

        @Override
        public Filter create(Boolean on, FilterContext context) {
            return (exchange, chain) -> {
                exchange.upstreamHeaders().set("X-Caller-Verified", exchange.attribute(CALLER).orElse("nobody"));
                chain.proceed();
            };
        }
    }

    private static TestUpstream upstream;
    private static FrontDoorServer server;
    private static UpstreamClient client;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.start("u").behave(Behaviors.ok("u"));
        FilterRegistry registry = FilterRegistry.builder()
                .filter(new StampFactory()).filter(new WhoFactory()).filter(HeaderOpsFilterFactory.response())
                .build();
        RoutingState routing = new RoutingState();
        routing.apply(RoutesParser.parse("""
                upstreams: [ { name: u, endpoints: [ "%s" ] } ]
                routes:
                  - { id: chained, upstream: u, match: { path-prefix: /chained }, stamp: true, who: header,
                      response-headers: { set: { X-Seen-By: overwritten-for-relayed-only } } }
                  - { id: broken, upstream: u, match: { path-prefix: /broken }, who: lazy }
                """.formatted(upstream.address()), "routes.yaml", registry));
        client = new UpstreamClient(ClientSettings.defaults());
        ProxyHandler handler = ProxyHandler.builder().nodeId("n1").routing(routing).client(client)
                .metrics(new GatewayMetrics()).accessLog(AccessLog.open("off"))
                .resilience(new ResilienceRegistry(new ResilienceMetrics())).build();
        server = new FrontDoorServer(FrontDoorSettings.builder().host("127.0.0.1").port(0).build(), handler);
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop();
        client.close();
        upstream.close();
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void laterFiltersSeeWhatEarlierOnesLeftAndHooksSeeTheAnswer() throws Exception {
        int before = upstream.received().size();
        HttpResponse<String> r = get("/chained/x", "X-Caller", "alice");
        assertEquals(200, r.statusCode());
        List<TestUpstream.Received> got = upstream.awaitReceived(before + 1);
        assertEquals("alice", got.getLast().header("X-Caller-Verified"), "an attribute set in AUTHENTICATION, read in"
                + " REQUEST_TRANSFORMATION, went upstream");
        // hooks run in phase order: the route's response-headers (transformation phase) have the last word on a
        // relayed response
        assertEquals("overwritten-for-relayed-only", r.headers().firstValue("X-Seen-By").orElseThrow());
    }

    @Test
    void aFilterAnswerIsTheGatewaysAndNeverReachesTheUpstream() throws Exception {
        int before = upstream.received().size();
        HttpResponse<String> r = get("/chained/x");
        assertEquals(400, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("application/problem+json"));
        assertTrue(r.body().contains("who are you?"), r.body());
        assertEquals(before, upstream.received().size());
    }

    @Test
    void aFilterThatNeitherProceedsNorAnswersGetsA500NamingIt() throws Exception {
        int before = upstream.received().size();
        HttpResponse<String> r = get("/broken/x", "X-Caller", "bob");
        assertEquals(500, r.statusCode());
        assertTrue(r.body().contains("filter 'who' neither proceeded nor answered"), r.body());
        assertTrue(r.body().contains("route 'broken'"), r.body());
        assertEquals(before, upstream.received().size(), "nothing was sent upstream");
        assertEquals(200, get("/chained/y", "X-Caller", "carol").statusCode(), "the connection and node go on");
    }
}
