package dev.loomgate.gateway.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.loomgate.consul.standin.ConsulStandin;
import dev.loomgate.gateway.consul.ConsulClient;
import dev.loomgate.gateway.consul.ConsulSettings;
import dev.loomgate.gateway.observe.RequestIds;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;

/** Spans of the rate limiter's Redis calls (real redis-server) and of Consul reads (the stand-in). */
class BackendSpansTest {
    @Test
    void aSampledRequestsRedisCallIsAChildOfItsServerSpan() throws Exception {
        try (OtlpReceiver collector = OtlpReceiver.start();
             RedisTestServers servers = RedisTestServers.create();
             TestUpstream up = TestUpstream.start("u").behave(Behaviors.ok("u"))) {
            RedisTestServers.Server redis = servers.startServer();
            String routes = """
                    upstreams:
                      - name: u
                        endpoints: [ %s ]
                    routes:
                      - id: limited
                        upstream: u
                        match: { path-prefix: /l }
                        rate-limit: { key: header:X-Api-Key, limit: 100, per: 1m }
                    """.formatted(up.address());
            try (TestGateway gw = TestGateway.start(routes, c -> c.toBuilder()
                    .redis(RedisSettings.standalone("127.0.0.1", redis.port()))
                    .tracing(TracingSettings.builder(collector.endpoint()).sampleRatio(0).build()).build())) {
                String traceId = RequestIds.randomHex(32);
                HttpResponse<String> res = TestGateway.http().send(HttpRequest.newBuilder(gw.uri("/l/x"))
                        .header("X-Api-Key", "k1")
                        .header("traceparent", "00-" + traceId + "-" + RequestIds.randomHex(16) + "-01")
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, res.statusCode());
                List<OtlpReceiver.Received> spans = Await.value("server, Redis and try spans", Duration.ofSeconds(10),
                        () -> collector.spansOf(traceId), s -> s.size() >= 3);
                OtlpReceiver.Received server = spans.stream()
                        .filter(s -> s.span().getKind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
                OtlpReceiver.Received call = spans.stream().filter(s -> s.name().equals("redis rate-limit"))
                        .findFirst().orElseThrow(() -> new AssertionError("no Redis span in " + spans));
                assertEquals(server.spanId(), call.parentSpanId());
                Map<String, String> a = call.attributes();
                assertEquals("redis", a.get("loomgate.system"));
                assertEquals("true", a.get("loomgate.rate_limit.allowed"));
            }
        }
    }

    @Test
    void consulReadsAreRootSpansAndWritesAreNot() throws Exception {
        ConsulStandin consul = ConsulStandin.builder().host("127.0.0.1").port(0).build().start();
        try (OtlpReceiver collector = OtlpReceiver.start();
             Tracing tracing = Tracing.create(TracingSettings.builder(collector.endpoint()).sampleRatio(1).build(), "n1");
             ConsulClient client = new ConsulClient(ConsulSettings.of(consul.baseUri()), tracing)) {
            assertTrue(client.kvPut("routes/a", "x"));
            assertEquals("x", client.kvGet("routes/a").orElseThrow().valueUtf8());
            client.healthService("web", List.of(), true, 0, Duration.ZERO);
            List<OtlpReceiver.Received> spans = Await.value("two read spans", Duration.ofSeconds(10),
                    collector::spans, s -> s.size() >= 2);
            assertEquals(List.of("consul GET /v1/kv", "consul GET /v1/health/service"),
                    spans.stream().map(OtlpReceiver.Received::name).toList(), "reads only, no span for the PUT");
            OtlpReceiver.Received kv = spans.getFirst();
            assertTrue(kv.span().getParentSpanId().isEmpty(), "off the request path: a root");
            assertEquals("/v1/kv/routes/a", kv.attributes().get("url.path"));
            assertEquals("200", kv.attributes().get("http.response.status_code"));
            assertEquals("n1", kv.resource().get("service.instance.id"));
        } finally {
            consul.stop();
        }
    }
}
