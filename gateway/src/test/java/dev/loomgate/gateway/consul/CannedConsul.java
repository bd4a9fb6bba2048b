package dev.loomgate.gateway.consul;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

import com.sun.net.httpserver.HttpServer;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A tiny HTTP server answering scripted responses in order, for Consul edge cases the stand-in
 * cannot produce (index going backwards, 500s, plain-text errors). When the script runs out it
 * repeats the last answer. Records each request's method, path and query.
 */
final class CannedConsul implements AutoCloseable {
    /**
     * A fixture of the Consul API contract. gateway/pom.xml puts the repository's contracts/ folder on
     * the test classpath, so the contract is found wherever the clone is; a missing one fails the test.
     */
    static String fixture(String name) {
        String resource = "consul-api/fixtures/" + name;
        try (InputStream in = CannedConsul.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return fail("Consul API contract fixture " + resource + " is not on the test classpath; it belongs in "
                        + "contracts/consul-api/fixtures/ at the repository root, which gateway/pom.xml adds as a "
                        + "test resource directory");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return fail("cannot read Consul API contract fixture " + resource + ": " + e);
        }
    }

    record Answer(int status, String contentType, String body, String index, long delayMillis) {
    }

    private final HttpServer server;
    private final BlockingQueue<Answer> script = new LinkedBlockingQueue<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> tokens = new CopyOnWriteArrayList<>();
    private volatile Answer last = new Answer(200, "application/json", "[]", "1", 0);

    CannedConsul() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            requests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath()
                    + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()));
            String token = ex.getRequestHeaders().getFirst("X-Consul-Token");
            tokens.add(token == null ? "" : token);
            Answer a = script.poll();
            if (a == null) {
                a = last;
            } else {
                last = a;
            }
            if (a.delayMillis() > 0) {
                try {
                    Thread.sleep(a.delayMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
            if (a.contentType() != null) {
                ex.getResponseHeaders().set("Content-Type", a.contentType());
            }
            if (a.index() != null) {
                // Go's canonical spelling (SPEC G-8); the client must match case-insensitively
                ex.getResponseHeaders().set("X-Consul-Index", a.index());
            }
            ex.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    CannedConsul then(int status, String body, String index) {
        script.add(new Answer(status, status == 200 ? "application/json" : "text/plain; charset=utf-8", body, index, 0));
        return this;
    }

    CannedConsul thenFixture(String fixture, String index) {
        return then(200, fixture(fixture), index);
    }

    CannedConsul thenSlow(long millis, String body, String index) {
        script.add(new Answer(200, "application/json", body, index, millis));
        return this;
    }

    String address() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<String> requests() {
        return requests;
    }

    List<String> tokens() {
        return tokens;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
