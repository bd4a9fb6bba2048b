package dev.loomgate.gateway.resilience;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;

/** Small helpers shared by the resilience tests. */
final class Net {
    private Net() {
    }

    static HttpResponse<String> send(TestGateway gw, String method, String path, byte[] body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return TestGateway.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> admin(int port, String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("X-Loomgate-Admin", "1"); // as curl, the CLI and scripts send it (AdminGuard)
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return TestGateway.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Counts requests as they arrive (before the behavior runs, so hung requests count too). */
    static AtomicInteger counting(TestUpstream u, TestUpstream.Behavior b) {
        AtomicInteger n = new AtomicInteger();
        u.behave(new TestUpstream.Behavior() {
            @Override
            public boolean respond(TestUpstream.Request req, OutputStream out) throws IOException {
                n.incrementAndGet();
                return b.respond(req, out);
            }

            @Override
            public boolean fullDuplex() {
                return b.fullDuplex();
            }
        });
        return n;
    }
}
