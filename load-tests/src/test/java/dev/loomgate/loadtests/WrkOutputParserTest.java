package dev.loomgate.loadtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The parser against real wrk 4.1 output captured on this machine (src/test/resources/wrk). */
class WrkOutputParserTest {

    private static String sample(String name) throws IOException {
        try (InputStream in = WrkOutputParserTest.class.getResourceAsStream("/wrk/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource /wrk/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void cleanRun() throws IOException {
        WrkResult r = WrkOutputParser.parse(sample("ok.txt"));
        assertEquals(94955, r.requests());
        assertEquals(44999.90, r.requestsPerSec(), 1e-6);
        assertEquals(980.0, r.p50Micros(), 1e-6);
        assertEquals(6200.0, r.p99Micros(), 1e-6);
        assertEquals(0, r.non2xx3xx());
        assertEquals(WrkResult.SocketErrors.NONE, r.socketErrors());
        assertEquals(0, r.failures());
    }

    @Test
    void non2xxResponsesAreFailures() throws IOException {
        WrkResult r = WrkOutputParser.parse(sample("non2xx.txt"));
        assertEquals(131126, r.requests());
        assertEquals(131126, r.non2xx3xx());
        assertEquals(652.0, r.p50Micros(), 1e-6, "microsecond unit");
        assertEquals(34090.0, r.p99Micros(), 1e-6);
        assertEquals(131126, r.failures());
    }

    @Test
    void socketErrorsAreFailures() throws IOException {
        WrkResult r = WrkOutputParser.parse(sample("socket-errors.txt"));
        assertEquals(7, r.requests());
        assertEquals(new WrkResult.SocketErrors(0, 15, 0, 0), r.socketErrors());
        assertEquals(0, r.non2xx3xx());
        assertEquals(15, r.failures());
        assertEquals(3.39, r.requestsPerSec(), 1e-6);
    }

    @Test
    void secondsUnit() {
        String out = """
                Running 1s test @ http://127.0.0.1:1/
                  1 threads and 1 connections
                  Latency Distribution
                     50%    1.50s
                     75%    1.60s
                     90%    1.70s
                     99%    2.00m
                  3 requests in 1.00s, 300.00B read
                  Socket errors: connect 0, read 0, write 0, timeout 2
                Requests/sec:      3.00
                Transfer/sec:     300.00B
                """;
        WrkResult r = WrkOutputParser.parse(out);
        assertEquals(1_500_000.0, r.p50Micros(), 1e-6);
        assertEquals(120_000_000.0, r.p99Micros(), 1e-6);
        assertEquals(2, r.socketErrors().timeout());
    }

    @Test
    void unparseableOutputFailsLoudly() {
        var e = assertThrows(WrkOutputParser.WrkParseException.class,
                () -> WrkOutputParser.parse("unable to connect to 127.0.0.1:18779 Connection refused"));
        assertTrue(e.getMessage().contains("Connection refused"), "the message carries wrk's output");
    }

    @Test
    void missingPercentileFailsLoudly() throws IOException {
        String cut = sample("ok.txt").replaceAll("(?m)^\\s+99%.*$", "");
        var e = assertThrows(WrkOutputParser.WrkParseException.class, () -> WrkOutputParser.parse(cut));
        assertTrue(e.getMessage().contains("99%"), e.getMessage());
    }

    @Test
    void metricsCounterSumsLabelSets() {
        String text = """
                # HELP loomgate_upstream_connections_opened_total TCP connections opened to upstreams.
                # TYPE loomgate_upstream_connections_opened_total counter
                loomgate_upstream_connections_opened_total 64
                loomgate_upstream_connections_opened_total_other 5
                """;
        assertEquals(64L, GatewayMetrics.counter(text, GatewayMetrics.UPSTREAM_OPENED).orElseThrow());
        assertEquals(7L, GatewayMetrics.counter("x{a=\"1\"} 3\nx{a=\"2\"} 4.0 1700000000\n", "x").orElseThrow());
        assertTrue(GatewayMetrics.counter("y 1\n", "x").isEmpty());
    }

    @Test
    void metricsReadsOneSeriesAndFractionalSums() {
        String text = """
                loomgate_cache_requests_total{route="hit",result="hit"} 40
                loomgate_cache_requests_total{route="hit",result="miss"} 2
                loomgate_ratelimit_redis_duration_seconds_sum{route="a"} 0.25
                loomgate_ratelimit_redis_duration_seconds_sum{route="b"} 0.5
                """;
        assertEquals(40L, GatewayMetrics.counter(text,
                "loomgate_cache_requests_total{route=\"hit\",result=\"hit\"}").orElseThrow());
        assertEquals(42L, GatewayMetrics.counter(text, "loomgate_cache_requests_total").orElseThrow());
        assertEquals(0.75, GatewayMetrics.sum(text, "loomgate_ratelimit_redis_duration_seconds_sum").orElseThrow());
        assertEquals(0L, GatewayMetrics.counter(text, "loomgate_ratelimit_redis_duration_seconds_sum").orElseThrow());
        assertTrue(GatewayMetrics.sum(text, "loomgate_cache_requests_total{route=\"other\"}").isEmpty());
    }
}
