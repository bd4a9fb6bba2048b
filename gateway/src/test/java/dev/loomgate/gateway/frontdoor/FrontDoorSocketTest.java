package dev.loomgate.gateway.frontdoor;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import dev.loomgate.gateway.config.NodeConfig;
import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.RawHttp;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The front door over real sockets: HTTP/1.0, 100-continue, slow and hostile clients, connection caps. */
class FrontDoorSocketTest {
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private TestUpstream upstream;

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
    }

    private TestGateway gateway(String upstreamExtra, UnaryOperator<NodeConfig> config) throws Exception {
        upstream = TestUpstream.start("u1");
        closeables.add(upstream);
        TestGateway g = TestGateway.start("""
                upstreams:
                  - name: backend
                    endpoints: [ %s ]
                %s
                routes:
                  - id: api
                    upstream: backend
                    match: { path-prefix: /api }
                """.formatted(upstream.address(), upstreamExtra), config);
        closeables.add(g);
        return g;
    }

    private TestGateway gateway() throws Exception {
        return gateway("", c -> c);
    }

    private static Socket connect(TestGateway g) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), g.port());
        s.setSoTimeout(10_000);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /** True when the server closed the connection (EOF or reset) within the socket timeout. */
    private static boolean closedByServer(InputStream in) {
        try {
            return in.read() < 0;
        } catch (SocketException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void http10ResponseOfUnknownLengthIsCloseDelimitedNeverChunked() throws Exception {
        TestGateway g = gateway();
        upstream.behave(Behaviors.large(600_000, true)); // chunked upstream, too large to buffer
        try (Socket s = connect(g)) {
            send(s, "GET /api/big HTTP/1.0\r\n\r\n");
            InputStream in = new BufferedInputStream(s.getInputStream());
            RawHttp.Response r = RawHttp.read(in, false);
            assertEquals(200, r.status());
            assertNull(r.header("transfer-encoding"), "never chunked to an HTTP/1.0 client");
            assertEquals("close", r.header("connection"));
            assertEquals(600_000, r.body().length, "body delimited by the close");
        }
        TestUpstream.Received got = upstream.received().getFirst();
        assertEquals("GET", got.method());
    }

    @Test
    void http10KeepAliveOnlyWhenAsked() throws Exception {
        TestGateway g = gateway();
        try (Socket s = connect(g)) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            for (int i = 0; i < 2; i++) {
                send(s, "GET /api/k" + i + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                RawHttp.Response r = RawHttp.read(in, false);
                assertEquals(200, r.status());
                assertEquals("keep-alive", r.header("connection"));
                assertTrue(r.header("content-length") != null);
            }
            send(s, "POST /api/post HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello");
            RawHttp.Response r = RawHttp.read(in, false);
            assertEquals(200, r.status());
            assertEquals("close", r.header("connection"));
            assertTrue(closedByServer(in));
        }
        await("three requests upstream", Duration.ofSeconds(5), () -> upstream.received().size() == 3);
        TestUpstream.Received post = upstream.received().get(2);
        assertEquals(5, post.bodyBytes());
        assertEquals("5", post.header("content-length"));
    }

    @Test
    void connectionTokensCannotStripHost() throws Exception {
        TestGateway g = gateway();
        RawHttp.Response r = RawHttp.exchange(g.port(),
                "GET /api/x HTTP/1.1\r\nHost: a.test\r\nConnection: keep-alive, Host, Content-Length\r\n\r\n");
        assertEquals(200, r.status());
        await("request upstream", Duration.ofSeconds(5), () -> upstream.received().size() == 1);
        assertEquals("a.test", upstream.received().getFirst().header("host"));
    }

    @Test
    void continueIsSentOnlyWhenTheBodyIsRead() throws Exception {
        TestGateway g = gateway();
        try (Socket s = connect(g)) {
            send(s, "POST /api/c HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            InputStream in = new BufferedInputStream(s.getInputStream());
            RawHttp.Response interim = RawHttp.read(in, true);
            assertEquals(100, interim.status());
            send(s, "hello");
            RawHttp.Response r = RawHttp.read(in, false);
            assertEquals(200, r.status());
            assertNull(r.header("connection"), "kept alive");
        }
        await("request upstream", Duration.ofSeconds(5), () -> upstream.received().size() == 1);
        assertEquals(5, upstream.received().getFirst().bodyBytes());
        assertNull(upstream.received().getFirst().header("expect"), "Expect is hop-by-hop for us");
    }

    @Test
    void continueForAStreamedBodyComesFromTheBodyWriter() throws Exception {
        TestGateway g = gateway();
        int size = 300_000; // above the in-memory buffer: streamed upstream on the client's own schedule
        try (Socket s = connect(g)) {
            send(s, "PUT /api/big HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: " + size + "\r\n\r\n");
            InputStream in = new BufferedInputStream(s.getInputStream());
            assertEquals(100, RawHttp.read(in, true).status());
            send(s, "y".repeat(size));
            RawHttp.Response r = RawHttp.read(in, false);
            assertEquals(200, r.status());
            send(s, "GET /api/after HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(200, RawHttp.read(in, false).status(), "the connection stays usable");
        }
        await("requests upstream", Duration.ofSeconds(5), () -> upstream.received().size() == 2);
        assertEquals(size, upstream.received().getFirst().bodyBytes());
    }

    @Test
    void slowHeaderGets408AndIsClosed() throws Exception {
        TestGateway g = gateway("", c -> c.toBuilder().frontDoor(f -> f.headerReadTimeout(Duration.ofMillis(300))).build());
        try (Socket s = connect(g)) {
            long start = System.nanoTime();
            send(s, "GET /api/x HTTP/1.1\r\nHost: a\r\nX-Slow: ");
            InputStream in = new BufferedInputStream(s.getInputStream());
            RawHttp.Response r = RawHttp.read(in, false);
            assertEquals(408, r.status());
            assertEquals("close", r.header("connection"));
            assertTrue(closedByServer(in));
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
        }
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void idleKeepAliveConnectionIsClosedQuietly() throws Exception {
        TestGateway g = gateway("", c -> c.toBuilder().frontDoor(f -> f.keepAliveTimeout(Duration.ofMillis(200))).build());
        try (Socket s = connect(g)) {
            send(s, "GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n");
            InputStream in = new BufferedInputStream(s.getInputStream());
            assertEquals(200, RawHttp.read(in, false).status());
            assertTrue(closedByServer(in), "closed after the keep-alive timeout, without a response");
        }
    }

    @Test
    void keepAliveTimeoutFiresNotBeforeItsTimeAndAtMostAWatchdogTickLate() throws Exception {
        TestGateway g = gateway("", c -> c.toBuilder().frontDoor(f -> f.keepAliveTimeout(Duration.ofMillis(400))).build());
        try (Socket s = connect(g)) {
            send(s, "GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n");
            InputStream in = new BufferedInputStream(s.getInputStream());
            assertEquals(200, RawHttp.read(in, false).status());
            long answered = System.nanoTime();
            assertTrue(closedByServer(in), "closed after the keep-alive timeout");
            long waited = Duration.ofNanos(System.nanoTime() - answered).toMillis();
            // the deadline is armed before the response is read here, so it may end slightly under 400 ms
            // from this side; the watchdog ticks every 40 ms (a tenth of the shortest timeout)
            assertTrue(waited >= 350, "closed after only " + waited + " ms");
            assertTrue(waited < 3_000, "closed after " + waited + " ms");
        }
    }

    @Test
    void bodyArrivingSteadilyIsNotCutByTheIdleTimeout() throws Exception {
        TestGateway g = gateway("", c -> c.toBuilder().frontDoor(f -> f.bodyIdleTimeout(Duration.ofMillis(300))).build());
        upstream.behave(Behaviors.ok("u1"));
        try (Socket s = connect(g)) {
            send(s, "POST /api/steady HTTP/1.1\r\nHost: a\r\nContent-Length: 500\r\n\r\n");
            for (int i = 0; i < 5; i++) {
                Thread.sleep(150); // pacing the client is the point: 750 ms in all, each gap under 300 ms
                send(s, "x".repeat(100));
            }
            InputStream in = new BufferedInputStream(s.getInputStream());
            assertEquals(200, RawHttp.read(in, false).status(), "each read gets its own idle deadline");
        }
        await("request upstream", Duration.ofSeconds(5), () -> upstream.received().size() == 1);
        assertEquals(500, upstream.received().getFirst().bodyBytes());
    }

    @Test
    void watchdogTicksAtATenthOfTheShortestTimeout() {
        FrontDoorSettings d = FrontDoorSettings.builder().build();
        assertEquals(40, FrontDoorServer.watchdogTickMillis(d.toBuilder().keepAliveTimeout(Duration.ofMillis(400)).build()));
        assertEquals(5, FrontDoorServer.watchdogTickMillis(d.toBuilder().headerReadTimeout(Duration.ofMillis(20)).build()));
        assertEquals(250, FrontDoorServer.watchdogTickMillis(d.toBuilder().headerReadTimeout(Duration.ofHours(1))
                .keepAliveTimeout(Duration.ofHours(1)).bodyIdleTimeout(Duration.ofHours(1))
                .writeTimeout(Duration.ofHours(1)).build()));
    }

    @Test
    void stalledBodyIsAClientFaultNeverCountedAgainstTheUpstream() throws Exception {
        TestGateway g = gateway("""
                    outlier-detection: { consecutive-failures: 1, base-ejection-time: 30s, max-ejection-percent: 100 }
                    circuit-breaker: { window: 2, failure-ratio: 50, open-for: 30s, half-open-requests: 1 }
                """, c -> c.toBuilder().frontDoor(f -> f.bodyIdleTimeout(Duration.ofMillis(300))).build());
        // the upstream reads the whole body before answering: the stall surfaces in the body writer
        for (int i = 0; i < 3; i++) {
            try (Socket s = connect(g)) {
                // larger than the in-memory buffer: streamed to the upstream while it arrives
                send(s, "POST /api/stall HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n" + "x".repeat(100_000));
                InputStream in = new BufferedInputStream(s.getInputStream());
                RawHttp.Response r = RawHttp.read(in, false);
                assertEquals(408, r.status(), r.text());
                assertEquals("close", r.header("connection"));
            }
        }
        // a small stalled body (buffered before forwarding) gets an answer every time
        try (Socket s = connect(g)) {
            send(s, "POST /api/stall HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc");
            InputStream in = new BufferedInputStream(s.getInputStream());
            RawHttp.Response r = RawHttp.read(in, false);
            assertEquals(408, r.status(), r.text());
            assertTrue(r.text().contains("\"status\":408"));
            assertEquals("close", r.header("connection"));
        }
        var rm = g.node().resilienceMetrics();
        assertEquals(0, rm.sum("loomgate_outlier_ejections_total", "backend"), "no ejection for a client fault");
        assertEquals(0, rm.sum("loomgate_circuit_breaker_transitions_total", "backend"), "breaker untouched");
        String upstreams = g.admin("/admin/upstreams").body();
        assertTrue(!upstreams.contains("\"ejected\":true"), upstreams);
        upstream.behave(Behaviors.ok("u1"));
        assertEquals(200, g.get("/api/after").statusCode(), "the upstream still serves everybody else");
        String metrics = g.admin("/metrics").body();
        assertTrue(!metrics.contains("status=\"599\""), "no upstream failure recorded: " + metrics);
    }

    @Test
    void slowReaderIsCutAndReleasesTheUpstreamConnection() throws Exception {
        TestGateway g = gateway("", c -> c.toBuilder().frontDoor(f -> f.writeTimeout(Duration.ofMillis(300)))
                .upstream(u -> u.maxConnectionsPerEndpoint(1).connectTimeout(Duration.ofMillis(500))).build());
        upstream.behave(Behaviors.large(64L * 1024 * 1024, true));
        try (Socket s = connect(g)) {
            s.setReceiveBufferSize(4096);
            send(s, "GET /api/huge HTTP/1.1\r\nHost: a\r\n\r\n");
            // never read: the gateway's write blocks, the watchdog closes the connection
            await("write timeout", Duration.ofSeconds(10), () -> g.node().metrics().scrape()
                    .contains("loomgate_client_write_timeouts_total 1"));
        }
        upstream.behave(Behaviors.ok("u1"));
        await("in-flight back to 0", Duration.ofSeconds(10), () -> g.node().inFlight() == 0);
        assertEquals(200, g.get("/api/next").statusCode(), "the only upstream connection was released");
    }

    @Test
    void perClientConnectionCap() throws Exception {
        TestGateway g = gateway("", c -> c.toBuilder().frontDoor(f -> f.maxConnectionsPerClient(2)).build());
        try (Socket a = connect(g); Socket b = connect(g)) {
            for (Socket s : new Socket[] {a, b}) {
                send(s, "GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n");
                assertEquals(200, RawHttp.read(new BufferedInputStream(s.getInputStream()), false).status());
            }
            try (Socket third = connect(g)) {
                InputStream in = new BufferedInputStream(third.getInputStream());
                RawHttp.Response r = RawHttp.read(in, false);
                assertEquals(429, r.status());
                assertEquals("close", r.header("connection"));
                assertTrue(r.text().contains("too-many-connections"));
            }
        }
        // once those are closed, the client may connect again
        await("connections released", Duration.ofSeconds(5), () -> {
            try {
                return RawHttp.exchange(g.port(), "GET /api/y HTTP/1.1\r\nHost: a\r\n\r\n").status() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    @Test
    void traceCanBeAllowed() throws Exception {
        TestGateway g = gateway("", c -> c.toBuilder().frontDoor(f -> f.allowTrace(true)).build());
        assertEquals(200, RawHttp.exchange(g.port(), "TRACE /api/t HTTP/1.1\r\nHost: a\r\n\r\n").status());
    }

    @Test
    void headResponsesHaveNoBody() throws Exception {
        TestGateway g = gateway();
        try (Socket s = connect(g)) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            send(s, "HEAD /api/h HTTP/1.1\r\nHost: a\r\n\r\nGET /api/g HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Response head = RawHttp.read(in, true);
            assertEquals(200, head.status());
            RawHttp.Response get = RawHttp.read(in, false);
            assertEquals(200, get.status(), "the pipelined GET follows the bodiless HEAD answer");
            assertTrue(get.text().contains("GET /api/g"));
        }
    }

    @Test
    void stopClosesIdleConnectionsAtOnce() throws Exception {
        TestGateway g = gateway();
        try (Socket s = connect(g)) {
            send(s, "GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n");
            InputStream in = new BufferedInputStream(s.getInputStream());
            assertEquals(200, RawHttp.read(in, false).status());
            long start = System.nanoTime();
            g.close();
            assertTrue(closedByServer(in));
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(3).toNanos());
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        TestGateway g = gateway();
        try (Socket s = connect(g)) {
            send(s, "GET /api/one HTTP/1.1\r\nHost: a\r\n\r\nPOST /api/two HTTP/1.1\r\nHost: a\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /api/three HTTP/1.1\r\nHost: a\r\n"
                    + "Connection: close\r\n\r\n");
            InputStream in = new BufferedInputStream(s.getInputStream());
            for (String path : new String[] {"/api/one", "/api/two", "/api/three"}) {
                RawHttp.Response r = RawHttp.read(in, false);
                assertEquals(200, r.status());
                assertTrue(r.text().endsWith(path), r.text());
                assertTrue(r.header("date") != null, "Date on every response");
            }
            assertTrue(closedByServer(in));
        }
        await("three requests upstream", Duration.ofSeconds(5), () -> upstream.received().size() == 3);
        assertEquals(3, upstream.received().get(1).bodyBytes());
    }

    @Test
    void absoluteFormRoutesByItsAuthorityAndOptionsAsteriskStaysLocal() throws Exception {
        TestGateway g = gateway();
        RawHttp.Response r = RawHttp.exchange(g.port(), "GET http://b.test/api/abs?q=1 HTTP/1.1\r\nHost: other\r\n\r\n");
        assertEquals(200, r.status());
        await("request upstream", Duration.ofSeconds(5), () -> upstream.received().size() == 1);
        assertEquals("/api/abs?q=1", upstream.received().getFirst().target());
        assertEquals("b.test", upstream.received().getFirst().header("host"));
        RawHttp.Response options = RawHttp.exchange(g.port(), "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals(200, options.status());
        assertTrue(options.header("allow").contains("GET"));
        assertEquals(1, upstream.requestCount(), "OPTIONS * is never forwarded");
    }

    @Test
    void requestIdAndNodeHeaderOnRefusals() throws Exception {
        TestGateway g = gateway();
        RawHttp.Response r = RawHttp.exchange(g.port(), "GET /api/x HTTP/1.1\r\n\r\n");
        assertEquals(400, r.status());
        assertEquals("test-node", r.header("x-loomgate-node"));
        assertTrue(r.header("x-request-id") != null && r.text().contains(r.header("x-request-id")));
        OutputStream ignored = OutputStream.nullOutputStream();
        ignored.close();
    }
}
