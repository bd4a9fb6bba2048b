package dev.loomgate.gateway.frontdoor;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.loomgate.gateway.testing.RawHttp;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the hostile-request corpus ({@code src/test/resources/front-door-corpus}, format in its
 * README) against a real node and a recording upstream: one response with the expected status,
 * {@code Connection: close} where the connection must close, nothing hidden reaching the upstream.
 */
class FrontDoorCorpusTest {
    private static final String CORPUS = "/front-door-corpus/";
    private static TestUpstream upstream;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.start("u1");
        gateway = TestGateway.start("""
                upstreams:
                  - name: backend
                    endpoints: [ %s ]
                routes:
                  - id: api
                    upstream: backend
                    match: { path-prefix: /api }
                """.formatted(upstream.address()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        try (InputStream in = FrontDoorCorpusTest.class.getResourceAsStream(CORPUS + "cases.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                out.add(Arguments.of(f[0], Integer.parseInt(f[1]), f[2].equals("close"), f[3]));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1} {2}")
    @MethodSource("cases")
    void corpusCase(String file, int status, boolean close, String rule) throws Exception {
        byte[] request;
        try (InputStream in = FrontDoorCorpusTest.class.getResourceAsStream(CORPUS + file)) {
            request = in.readAllBytes();
        }
        int before = upstream.requestCount();
        List<RawHttp.Response> responses = new ArrayList<>();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
            s.setSoTimeout(10_000);
            try {
                s.getOutputStream().write(request);
                s.shutdownOutput(); // the server sees the end of input: every response it owes comes now
            } catch (IOException e) {
                // the server may have answered and closed before everything was written
            }
            InputStream in = new BufferedInputStream(s.getInputStream());
            while (true) {
                try {
                    responses.add(RawHttp.read(in, false));
                } catch (IOException e) {
                    break; // closed: no further response
                }
            }
        }
        assertTrue(!responses.isEmpty(), rule + ": no response at all");
        RawHttp.Response r = responses.getFirst();
        assertEquals(status, r.status(), rule + ": " + r.text());
        assertEquals(1, responses.size(), rule + ": bytes of one request were answered as another request");
        if (close) {
            assertEquals("close", String.valueOf(r.header("connection")).toLowerCase(), rule + ": Connection: close");
        }
        if (status >= 400) {
            assertEquals("application/problem+json", r.header("content-type"), rule);
            assertTrue(r.text().contains("\"status\":" + status), rule + ": problem status equals HTTP status: " + r.text());
            assertEquals(before, upstream.requestCount(), rule + ": a refused request must not reach the upstream");
        }
        for (TestUpstream.Received got : upstream.received()) {
            assertTrue(!got.target().toUpperCase().contains("SMUGGLED"), rule + ": hidden request reached the upstream: "
                    + got.target());
        }
    }
}
