package dev.loomgate.loadtests.openload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The generator and its HTTP client against a real loopback server answering in three framings. */
class OpenLoadTest {
    private ServerSocket server;
    private ExecutorService threads;
    private final AtomicInteger served = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        threads = Executors.newVirtualThreadPerTaskExecutor();
        threads.submit(() -> {
            while (!server.isClosed()) {
                Socket s = server.accept();
                threads.submit(() -> serve(s));
            }
            return null;
        });
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        threads.shutdownNow();
    }

    /** /len: Content-Length; /chunked: chunked; /close: Connection: close; /500: a server error. */
    private Void serve(Socket s) throws IOException {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String path = line.split(" ")[1];
                while (!in.readLine().isEmpty()) {
                    // headers
                }
                served.incrementAndGet();
                String response = switch (path) {
                    case "/chunked" -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n";
                    case "/close" -> "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
                    case "/500" -> "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n";
                    default -> "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
                };
                out.write(response.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (path.equals("/close")) {
                    return null;
                }
            }
        }
        return null;
    }

    @Test
    void readsContentLengthAndChunkedResponsesOnOneConnection() throws IOException {
        try (HttpExchange len = HttpExchange.open(InetAddress.getLoopbackAddress(), server.getLocalPort(), "/len", 2000);
             HttpExchange chunked = HttpExchange.open(InetAddress.getLoopbackAddress(), server.getLocalPort(), "/chunked", 2000)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, len.get());
                assertEquals(200, chunked.get());
            }
            assertTrue(len.reusable() && chunked.reusable());
        }
    }

    @Test
    void sendsEveryPlannedRequestAndCountsFailures() throws InterruptedException {
        OpenLoadResult ok = OpenLoad.run(new OpenLoad.Plan(server.getLocalPort(), "/len", 200, Duration.ofSeconds(1), 4));
        assertEquals(200, ok.completed());
        assertEquals(0, ok.errors());
        assertEquals(200, ok.latency().count());
        assertEquals(200, ok.sendLag().count());

        OpenLoadResult closing = OpenLoad.run(new OpenLoad.Plan(server.getLocalPort(), "/close", 100, Duration.ofSeconds(1), 2));
        assertEquals(100, closing.completed(), "a Connection: close answer is success; the next request reconnects");

        OpenLoadResult failing = OpenLoad.run(new OpenLoad.Plan(server.getLocalPort(), "/500", 100, Duration.ofSeconds(1), 2));
        assertEquals(0, failing.completed());
        assertEquals(100, failing.errors());
        assertEquals("status 500", failing.errorSamples().getFirst());
    }

    @Test
    void aRefusedConnectionIsAnErrorNotAHang() throws IOException, InterruptedException {
        int port;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = gone.getLocalPort();
        }
        OpenLoadResult r = OpenLoad.run(new OpenLoad.Plan(port, "/", 50, Duration.ofSeconds(1), 2));
        assertEquals(0, r.completed());
        assertEquals(50, r.errors());
        assertTrue(r.errorSamples().getFirst().contains("Connect"), r.errorSamples().toString());
    }
}
