package dev.loomgate.gateway.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.loomgate.gateway.observe.RequestIds;
import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.RefusingPort;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;

/**
 * Spans of requests through a real gateway, exported over OTLP/HTTP to a real receiver started here and decoded
 * with the OpenTelemetry proto classes.
 */
class TracingTest {
    private static final String ROUTES = """
            upstreams:
              - name: u
                endpoints: [ %s ]
            routes:
              - id: r
                upstream: u
                match: { path-prefix: /r }
                retries: { attempts: 2 }
            """;

    /** 503 to the first request, 200 to every later one: the route's retry makes a second try. */
    private static TestUpstream.Behavior failFirst() {
        AtomicInteger seen = new AtomicInteger();
        return (req, out) -> (seen.getAndIncrement() == 0 ? Behaviors.status(503, "u") : Behaviors.ok("u"))
                .respond(req, out);
    }

    private static HttpResponse<String> get(TestGateway gw, String path, String traceparent) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(10));
        if (!traceparent.isEmpty()) {
            b.header("traceparent", traceparent);
        }
        return TestGateway.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRetriedRequestHasAServerSpanAndOneClientSpanPerTry() throws Exception {
        String traceId = RequestIds.randomHex(32);
        String parentId = RequestIds.randomHex(16);
        try (OtlpReceiver collector = OtlpReceiver.start();
             TestUpstream up = TestUpstream.start("u").behave(failFirst());
             TestGateway gw = TestGateway.start(ROUTES.formatted(up.address()),
                     c -> c.toBuilder().tracing(TracingSettings.builder(collector.endpoint()).sampleRatio(0).build())
                             .build())) {
            HttpResponse<String> res = get(gw, "/r/items?x=1", "00-" + traceId + "-" + parentId + "-01");
            assertEquals(200, res.statusCode());

            List<OtlpReceiver.Received> spans = Await.value("a server span and two client spans", Duration.ofSeconds(10),
                    () -> collector.spansOf(traceId), s -> s.size() >= 3);
            assertEquals(3, spans.size(), () -> "spans: " + spans);
            OtlpReceiver.Received server = spans.stream().filter(s -> s.span().getKind() == Span.SpanKind.SPAN_KIND_SERVER)
                    .findFirst().orElseThrow();
            assertEquals("GET r", server.name());
            assertEquals(parentId, server.parentSpanId(), "the server span continues the caller's span");
            Map<String, String> sa = server.attributes();
            assertEquals("GET", sa.get("http.request.method"));
            assertEquals("/r/items", sa.get("url.path"));
            assertEquals("200", sa.get("http.response.status_code"));
            assertEquals("r", sa.get("loomgate.route"));
            assertEquals("u", sa.get("loomgate.upstream"));
            assertEquals("loomgate", server.resource().get("service.name"));
            assertEquals("test-node", server.resource().get("service.instance.id"));

            List<OtlpReceiver.Received> tries = spans.stream()
                    .filter(s -> s.span().getKind() == Span.SpanKind.SPAN_KIND_CLIENT)
                    .sorted(Comparator.comparing(s -> s.attributes().get("loomgate.attempt"))).toList();
            assertEquals(2, tries.size());
            for (int i = 0; i < 2; i++) {
                OtlpReceiver.Received t = tries.get(i);
                Map<String, String> a = t.attributes();
                assertEquals("GET u", t.name());
                assertEquals(server.spanId(), t.parentSpanId(), "each try is a child of the server span");
                assertEquals(Integer.toString(i + 1), a.get("loomgate.attempt"));
                assertEquals("GET", a.get("http.request.method"));
                assertEquals("127.0.0.1", a.get("server.address"));
                assertEquals(Integer.toString(up.port()), a.get("server.port"));
                assertEquals("u", a.get("loomgate.upstream"));
            }
            assertEquals("503", tries.get(0).attributes().get("http.response.status_code"));
            assertEquals(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR,
                    tries.get(0).span().getStatus().getCode());
            assertEquals("200", tries.get(1).attributes().get("http.response.status_code"));
            assertEquals("1", tries.get(1).attributes().get("http.request.resend_count"));

            // W3C context out: each try told the upstream its own span as the parent, sampled
            List<TestUpstream.Received> received = up.received();
            assertEquals(2, received.size());
            for (int i = 0; i < 2; i++) {
                assertEquals("00-" + traceId + "-" + tries.get(i).spanId() + "-01",
                        received.get(i).header("traceparent"));
            }
            assertTrue(collector.contentTypes().stream().allMatch(t -> t.startsWith("application/x-protobuf")),
                    () -> "OTLP/HTTP protobuf, got " + collector.contentTypes());
        }
    }

    @Test
    void aRootRequestIsSampledAtTheRatioWithTheTraceIdItSendsUpstream() throws Exception {
        try (OtlpReceiver collector = OtlpReceiver.start();
             TestUpstream up = TestUpstream.start("u").behave(Behaviors.ok("u"));
             TestGateway gw = TestGateway.start(ROUTES.formatted(up.address()),
                     c -> c.toBuilder().tracing(TracingSettings.builder(collector.endpoint()).sampleRatio(1).build())
                             .build())) {
            assertEquals(200, get(gw, "/r/a", "").statusCode());
            String sent = up.received().getFirst().header("traceparent");
            Matcher m = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-01").matcher(sent);
            assertTrue(m.matches(), sent);
            List<OtlpReceiver.Received> spans = Await.value("the root request's spans", Duration.ofSeconds(10),
                    () -> collector.spansOf(m.group(1)), s -> s.size() >= 2);
            OtlpReceiver.Received server = spans.stream().filter(s -> s.span().getKind() == Span.SpanKind.SPAN_KIND_SERVER)
                    .findFirst().orElseThrow();
            assertTrue(server.span().getParentSpanId().isEmpty(), "a root has no parent");
            OtlpReceiver.Received client = spans.stream().filter(s -> s.span().getKind() == Span.SpanKind.SPAN_KIND_CLIENT)
                    .findFirst().orElseThrow();
            assertEquals(m.group(2), client.spanId());
            assertEquals(server.spanId(), client.parentSpanId());
        }
    }

    @Test
    void ratioZeroTracesNoRootAndAnUnsampledParentIsFollowed() throws Exception {
        try (OtlpReceiver collector = OtlpReceiver.start();
             TestUpstream up = TestUpstream.start("u").behave(Behaviors.ok("u"));
             TestGateway gw = TestGateway.start(ROUTES.formatted(up.address()),
                     c -> c.toBuilder().tracing(TracingSettings.builder(collector.endpoint()).sampleRatio(0).build())
                             .build())) {
            String unsampled = "00-" + RequestIds.randomHex(32) + "-" + RequestIds.randomHex(16) + "-00";
            assertEquals(200, get(gw, "/r/root", "").statusCode());
            assertEquals(200, get(gw, "/r/unsampled", unsampled).statusCode());
            assertEquals(unsampled, up.received().get(1).header("traceparent"), "an unsampled context goes on unchanged");
            // spans leave in order: once a later sampled request's spans arrived, the earlier ones would have too
            String marker = RequestIds.randomHex(32);
            assertEquals(200, get(gw, "/r/marker", "00-" + marker + "-" + RequestIds.randomHex(16) + "-01").statusCode());
            Await.value("the sampled marker request's spans", Duration.ofSeconds(10), () -> collector.spansOf(marker),
                    s -> s.size() >= 2);
            assertEquals(2, collector.spans().size(), () -> "only the marker's spans: " + collector.spans());
        }
    }

    @Test
    void aDeadCollectorNeitherFailsNorBlocksRequestsAndDropsAreCounted() throws Exception {
        try (RefusingPort dead = RefusingPort.open();
             TestUpstream up = TestUpstream.start("u").behave(Behaviors.ok("u"));
             TestGateway gw = TestGateway.start(ROUTES.formatted(up.address()),
                     c -> c.toBuilder().tracing(TracingSettings.builder(
                                     java.net.URI.create("http://" + dead.address() + "/v1/traces"))
                             .sampleRatio(1).maxQueueSize(4).build()).build())) {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                for (int i = 0; i < 200; i++) {
                    assertEquals(200, get(gw, "/r/" + i, "").statusCode());
                }
            });
            Await.until("dropped spans counted in /metrics", () -> dropped(gw) > 0);
        }
    }

    private static long dropped(TestGateway gw) {
        try {
            Matcher m = Pattern.compile("(?m)^loomgate_trace_spans_total\\{result=\"dropped\"} (\\d+)$")
                    .matcher(gw.admin("/metrics").body());
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
