package dev.loomgate.loadtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Fixtures are real ab 2.3 output (apache2-utils). */
class AbOutputParserTest {
    private static String fixture(String name) throws IOException {
        try (InputStream in = AbOutputParserTest.class.getResourceAsStream("/ab/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void plainRun() throws IOException {
        AbResult r = AbOutputParser.parse(fixture("ok.txt"));
        assertEquals(200, r.complete());
        assertEquals(0, r.failures());
        assertEquals(0, r.keepAlive());
        assertTrue(r.requestsPerSec() > 0);
        assertTrue(r.p99Millis() >= r.p50Millis());
    }

    @Test
    void non2xxResponsesAreFailures() throws IOException {
        AbResult r = AbOutputParser.parse(fixture("non2xx.txt"));
        assertEquals(new AbResult(100, 0, 100, 0, 1171.84, 1, 26), r);
        assertEquals(100, r.failures());
    }

    @Test
    void keepAliveRunCountsKeepAliveRequests() throws IOException {
        AbResult r = AbOutputParser.parse(fixture("keepalive.txt"));
        assertEquals(r.complete(), r.keepAlive());
        assertEquals(0, r.failures());
    }

    @Test
    void failedRequestsWithTheirBreakdownLine() {
        String out = """
                Complete requests:      50
                Failed requests:        3
                   (Connect: 0, Receive: 0, Length: 3, Exceptions: 0)
                Requests per second:    100.00 [#/sec] (mean)
                Percentage of the requests served within a certain time (ms)
                  50%      4
                  99%      9
                 100%     12 (longest request)
                """;
        assertEquals(new AbResult(50, 3, 0, 0, 100.0, 4, 9), AbOutputParser.parse(out));
    }

    @Test
    void anAbortedRunIsAClearError() {
        String out = "Benchmarking 127.0.0.1 (be patient)\napr_socket_recv: Connection reset by peer (104)\n";
        AbOutputParser.AbParseException e = assertThrows(AbOutputParser.AbParseException.class, () -> AbOutputParser.parse(out));
        assertTrue(e.getMessage().contains("no 'Complete requests:' line"), e.getMessage());
        assertTrue(e.getMessage().contains("Connection reset by peer"), e.getMessage());
    }
}
