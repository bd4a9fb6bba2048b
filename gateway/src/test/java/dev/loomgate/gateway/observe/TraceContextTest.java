package dev.loomgate.gateway.observe;

import dev.loomgate.testsupport.Await;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceContextTest {
    private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aValidTraceparentIsKeptWithItsTracestate() {
        TraceContext t = TraceContext.from(List.of(VALID), List.of("congo=t61rcWkgMzE", "rojo=00f067aa0ba902b7"));
        assertEquals(VALID, t.traceparent());
        assertEquals(Optional.of("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"), t.tracestate());
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", t.traceId());
        assertFalse(t.created());
    }

    @Test
    void invalidOnesAreReplacedAndTheirStateDropped() {
        for (String bad : List.of("", "garbage", VALID.toUpperCase(), "ff" + VALID.substring(2),
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", VALID + "-extra", VALID.replace('-', '_'))) {
            TraceContext t = TraceContext.from(List.of(bad), List.of("congo=x"));
            assertTrue(t.created(), bad);
            assertTrue(TraceContext.valid(t.traceparent()), t.traceparent());
            assertEquals(Optional.empty(), t.tracestate(), "an orphaned tracestate is dropped");
        }
        assertTrue(TraceContext.valid("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future"),
                "a later version may append fields");
    }

    @Test
    void createdWhenAbsent() {
        TraceContext t = TraceContext.from(List.of(), List.of());
        assertTrue(t.traceparent().matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00"), t.traceparent());
        assertEquals(t.traceparent().substring(3, 35), t.traceId());
        assertNotEquals(t.traceId(), TraceContext.from(List.of(), List.of()).traceId());
    }

    @Test
    void theProxyForwardsOrCreatesItAndLogsTraceAndRequestIds() throws Exception {
        Path log = Files.createTempFile("loomgate-access", ".log");
        try (TestUpstream u = TestUpstream.start("u");
             TestGateway gw = TestGateway.start("""
                     upstreams:
                       - name: app
                         endpoints: [ %s ]
                     routes:
                       - id: api
                         upstream: app
                     """.formatted(u.address()), c -> c.toBuilder().accessLog(log.toString()).build())) {
            HttpResponse<String> r = TestGateway.http().send(HttpRequest.newBuilder(gw.uri("/traced"))
                    .header("traceparent", VALID).header("tracestate", "congo=t61rcWkgMzE")
                    .header("X-Request-Id", "req-42").timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            TestUpstream.Received forwarded = u.awaitReceived(1).getFirst();
            assertEquals(VALID, forwarded.header("traceparent"));
            assertEquals("congo=t61rcWkgMzE", forwarded.header("tracestate"));

            assertEquals(200, gw.get("/fresh").statusCode());
            TestUpstream.Received fresh = u.awaitReceived(2).get(1);
            String created = fresh.header("traceparent");
            assertTrue(TraceContext.valid(created), created);
            assertNull(fresh.header("tracestate"));

            // the access log line is written after the response went out
            List<String> lines = Await.value("2 access log lines in " + log, Duration.ofSeconds(5),
                    () -> readLines(log), l -> l.size() >= 2);
            assertEquals(2, lines.size(), String.join("\n", lines));
            assertTrue(lines.get(0).contains("\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\""), lines.get(0));
            assertTrue(lines.get(0).contains("\"request_id\":\"req-42\""), lines.get(0));
            assertTrue(lines.get(1).contains("\"trace_id\":\"" + created.substring(3, 35) + "\""), lines.get(1));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
