package dev.loomgate.gateway.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.RefusingPort;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.gateway.upstream.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpstreamClientTest {
    private TestUpstream upstream;
    private UpstreamClient client;

    @BeforeEach
    void setUp() throws IOException {
        upstream = TestUpstream.start("u1");
        client = new UpstreamClient(new ClientSettings(Duration.ofSeconds(1), Duration.ofSeconds(2), 16, Duration.ofSeconds(30)));
    }

    @AfterEach
    void tearDown() {
        client.close();
        upstream.close();
    }

    private static UpstreamRequest get(String target) {
        HttpFields h = new HttpFields();
        h.add("Host", "example.test");
        return new UpstreamRequest("GET", target, h, RequestBody.NONE, true);
    }

    private String body(UpstreamResponse r) throws IOException {
        try (r) {
            return new String(r.readBody(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void reusesOneConnectionForSequentialRequests() throws Exception {
        for (int i = 0; i < 200; i++) {
            UpstreamResponse r = client.exchange(upstream.endpoint(), get("/n/" + i), Duration.ofSeconds(2));
            assertEquals(200, r.status());
            assertEquals("u1 GET /n/" + i, body(r));
        }
        assertEquals(1, upstream.connectionsAccepted(), "keep-alive must reuse the connection");
        assertEquals(1, client.connectionsOpened());
        assertEquals("example.test", upstream.awaitReceived(200).getFirst().header("host"));
    }

    @Test
    void concurrentLoadOpensAtMostThePoolSize() throws Exception {
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                results.add(ex.submit(() -> {
                    try (UpstreamResponse r = client.exchange(upstream.endpoint(), get("/"), Duration.ofSeconds(5))) {
                        r.readBody();
                        return r.status();
                    }
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(200, f.get());
            }
        }
        assertTrue(upstream.connectionsAccepted() <= 16, "opened " + upstream.connectionsAccepted());
    }

    @Test
    void decodesChunkedAndLargeBodies() throws Exception {
        upstream.behave(Behaviors.large(3_000_000, true));
        try (UpstreamResponse r = client.exchange(upstream.endpoint(), get("/big"), Duration.ofSeconds(5))) {
            assertTrue(r.chunked());
            assertEquals(3_000_000, r.body().transferTo(java.io.OutputStream.nullOutputStream()));
        }
        upstream.behave(Behaviors.large(3_000_000, false));
        try (UpstreamResponse r = client.exchange(upstream.endpoint(), get("/big"), Duration.ofSeconds(5))) {
            assertEquals(3_000_000, r.contentLength().orElseThrow());
            assertEquals(3_000_000, r.body().transferTo(java.io.OutputStream.nullOutputStream()));
        }
        assertEquals(1, upstream.connectionsAccepted(), "complete bodies leave the connection reusable");
    }

    @Test
    void streamsAChunkedRequestBodyFullDuplex() throws Exception {
        upstream.behave(Behaviors.echo());
        byte[] data = new byte[5_000_000];
        new java.util.Random(7).nextBytes(data);
        HttpFields h = new HttpFields();
        UpstreamRequest req = new UpstreamRequest("POST", "/echo", h,
                new RequestBody.Streamed(new ByteArrayInputStream(data), -1), false);
        try (UpstreamResponse r = client.exchange(upstream.endpoint(), req, Duration.ofSeconds(10))) {
            assertArrayEquals(data, r.readBody());
        }
        TestUpstream.Received got = upstream.awaitReceived(1).getFirst();
        assertEquals("chunked", got.header("transfer-encoding"));
        assertEquals(5_000_000, got.bodyBytes());
    }

    @Test
    void connectionRefusedIsConnectFailed() throws Exception {
        try (RefusingPort dead = RefusingPort.open()) {
            UpstreamException e = assertThrows(UpstreamException.class,
                    () -> client.exchange(new Endpoint("127.0.0.1", dead.port(), 1), get("/"), Duration.ofSeconds(1)));
            assertEquals(UpstreamException.Kind.CONNECT_FAILED, e.kind());
            assertTrue(e.kind().nothingSent());
        }
    }

    @Test
    void hangingUpstreamTimesOut() {
        upstream.behave(Behaviors.hang());
        UpstreamException e = assertThrows(UpstreamException.class,
                () -> client.exchange(upstream.endpoint(), get("/"), Duration.ofMillis(300)));
        assertEquals(UpstreamException.Kind.RESPONSE_TIMEOUT, e.kind());
    }

    /** An upstream's pacing (the wait is the point); ends early when the upstream is closed. */
    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void responseTimeoutFiresOnTimeAndTheConnectionIsNotReused() throws Exception {
        upstream.behave(Behaviors.hang());
        long start = System.nanoTime();
        UpstreamException e = assertThrows(UpstreamException.class,
                () -> client.exchange(upstream.endpoint(), get("/"), Duration.ofMillis(300)));
        long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertEquals(UpstreamException.Kind.RESPONSE_TIMEOUT, e.kind());
        assertTrue(e.getMessage().contains("did not respond within 300 ms"), e.getMessage());
        assertTrue(waited >= 300, "timed out after only " + waited + " ms");
        assertTrue(waited < 3_000, "timed out after " + waited + " ms (the watchdog ticks every "
                + ConnectionPool.WATCHDOG_TICK_MILLIS + " ms)");
        upstream.behave(Behaviors.ok("u1"));
        try (UpstreamResponse r = client.exchange(upstream.endpoint(), get("/after"), Duration.ofSeconds(2))) {
            assertEquals("u1 GET /after", new String(r.readBody(), StandardCharsets.UTF_8));
        }
        assertEquals(2, client.connectionsOpened(), "the timed-out connection was discarded");
    }

    @Test
    void aStalledBodyTimesOutBetweenReads() throws Exception {
        upstream.behave((req, out) -> {
            req.drainBody();
            Behaviors.head(out, 200, "Content-Length: 1000");
            out.write(new byte[500]);
            out.flush();
            pause(600_000); // stalls until the upstream is closed
            return false;
        });
        try (UpstreamResponse r = client.exchange(upstream.endpoint(), get("/"), Duration.ofMillis(300))) {
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> r.body().transferTo(java.io.OutputStream.nullOutputStream()));
            long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(e instanceof java.net.SocketTimeoutException, e.toString());
            assertTrue(waited >= 250 && waited < 3_000, "body read timed out after " + waited + " ms");
        }
    }

    @Test
    void aBodyArrivingSteadilyIsNotCutByTheResponseTimeout() throws Exception {
        upstream.behave((req, out) -> {
            req.drainBody();
            Behaviors.head(out, 200, "Content-Length: 500");
            out.flush();
            for (int i = 0; i < 5; i++) {
                pause(150); // 750 ms in all, each gap under the 300 ms timeout
                out.write(new byte[100]);
                out.flush();
            }
            return true;
        });
        try (UpstreamResponse r = client.exchange(upstream.endpoint(), get("/"), Duration.ofMillis(300))) {
            assertEquals(500, r.readBody().length, "each read gets its own deadline");
        }
    }

    @Test
    void closeBeforeResponseIsReset() {
        upstream.behave(Behaviors.closeBeforeResponse());
        HttpFields h = new HttpFields();
        UpstreamRequest post = new UpstreamRequest("POST", "/", h, new RequestBody.Bytes(new byte[10]), false);
        UpstreamException e = assertThrows(UpstreamException.class,
                () -> client.exchange(upstream.endpoint(), post, Duration.ofSeconds(1)));
        assertEquals(UpstreamException.Kind.RESET_BEFORE_RESPONSE, e.kind());
    }

    @Test
    void truncatedBodyFailsTheReadAndDropsTheConnection() throws Exception {
        upstream.behave(Behaviors.closeMidBody());
        UpstreamResponse r = client.exchange(upstream.endpoint(), get("/"), Duration.ofSeconds(1));
        assertThrows(IOException.class, r::readBody);
        r.close();
        upstream.behave(Behaviors.ok("u1"));
        assertEquals("u1 GET /", body(client.exchange(upstream.endpoint(), get("/"), Duration.ofSeconds(1))));
        assertEquals(2, upstream.connectionsAccepted());
    }

    @Test
    void staleConnectionIsRetriedOnlyForIdempotentRequests() throws Exception {
        // the upstream answers without announcing it closes: the pooled connection is stale afterwards
        TestUpstream.Behavior okThenClose = (req, out) -> {
            Behaviors.ok("u1").respond(req, out);
            return false;
        };
        upstream.behave(okThenClose);
        body(client.exchange(upstream.endpoint(), get("/1"), Duration.ofSeconds(1)));
        upstream.awaitNoOpenConnections(); // its FIN is on the way: the pooled connection is stale
        assertEquals("u1 GET /2", body(client.exchange(upstream.endpoint(), get("/2"), Duration.ofSeconds(1))));

        body(client.exchange(upstream.endpoint(), get("/3"), Duration.ofSeconds(1)));
        upstream.awaitNoOpenConnections();
        int connectionsBefore = upstream.connectionsAccepted();
        UpstreamRequest post = new UpstreamRequest("POST", "/pay", new HttpFields(),
                new RequestBody.Bytes("x".getBytes(StandardCharsets.UTF_8)), false);
        UpstreamException e = assertThrows(UpstreamException.class,
                () -> client.exchange(upstream.endpoint(), post, Duration.ofSeconds(1)));
        assertEquals(UpstreamException.Kind.RESET_BEFORE_RESPONSE, e.kind());
        // a resend would have needed a new connection, opened before this GET's (accepts are in order)
        assertEquals("u1 GET /4", body(client.exchange(upstream.endpoint(), get("/4"), Duration.ofSeconds(1))));
        assertEquals(connectionsBefore + 1, upstream.connectionsAccepted(), "only the GET opened a connection");
        assertTrue(upstream.received().stream().noneMatch(r -> r.method().equals("POST")), "a POST must never be sent twice");
    }

    @Test
    void headResponseHasNoBodyDespiteContentLength() throws Exception {
        HttpFields h = new HttpFields();
        UpstreamRequest head = new UpstreamRequest("HEAD", "/", h, RequestBody.NONE, true);
        try (UpstreamResponse r = client.exchange(upstream.endpoint(), head, Duration.ofSeconds(1))) {
            assertEquals(0, r.readBody().length);
            assertTrue(r.headers().first("Content-Length").isPresent());
        }
        assertEquals("u1 GET /", body(client.exchange(upstream.endpoint(), get("/"), Duration.ofSeconds(1))));
        assertEquals(1, upstream.connectionsAccepted());
    }

    @Test
    void requestBodyOfKnownLengthIsSentWithContentLength() throws Exception {
        InputStream in = new ByteArrayInputStream(new byte[200_000]);
        UpstreamRequest put = new UpstreamRequest("PUT", "/", new HttpFields(), new RequestBody.Streamed(in, 200_000), true);
        body(client.exchange(upstream.endpoint(), put, Duration.ofSeconds(2)));
        TestUpstream.Received got = upstream.awaitReceived(1).getFirst();
        assertEquals("200000", got.header("content-length"));
        assertEquals(200_000, got.bodyBytes());
    }
}
