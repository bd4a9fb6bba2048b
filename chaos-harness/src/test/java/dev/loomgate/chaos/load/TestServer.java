package dev.loomgate.chaos.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A little HTTP server on 127.0.0.1:0 that names itself in the node header and counts what it sees. */
final class TestServer implements AutoCloseable {
    final HttpServer server;
    final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger withIdempotencyKey = new AtomicInteger();
    final AtomicInteger posts = new AtomicInteger();

    TestServer(String node) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> handle(exchange, node, 200, 0));
        server.createContext("/slow", exchange -> handle(exchange, node, 200, 2_000));
        server.createContext("/limited", exchange -> handle(exchange, node, 429, 0));
        server.createContext("/broken", exchange -> handle(exchange, node, 503, 0));
        server.createContext("/chunked", exchange -> handle(exchange, node, 200, 0));
        server.start();
    }

    private void handle(HttpExchange exchange, String node, int status, long sleepMillis) throws IOException {
        clientPorts.add(exchange.getRemoteAddress().getPort());
        requests.incrementAndGet();
        if (exchange.getRequestHeaders().containsKey("Idempotency-Key")) {
            withIdempotencyKey.incrementAndGet();
        }
        if (exchange.getRequestMethod().equals("POST")) {
            posts.incrementAndGet();
        }
        try (InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
        }
        if (sleepMillis > 0) {
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] body = ("{\"node\":\"" + node + "\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("X-Loomgate-Node", node);
        exchange.getResponseHeaders().add("X-Loomgate-LB", "lb-test");
        // length 0 makes the JDK server stream the body chunked
        boolean chunked = exchange.getRequestURI().getPath().equals("/chunked");
        exchange.sendResponseHeaders(status, chunked ? 0 : body.length);
        try (var out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
