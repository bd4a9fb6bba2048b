package dev.loomgate.gateway.policy.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.TestUpstream;

/**
 * A real upstream (on {@link TestUpstream}) whose answer per path is set by the test: status, header lines, an
 * optional delay; the body is {@code <path> v<n>} where n counts the requests for that path, so a test sees
 * whether an answer came from the cache (same n) or from upstream (new n).
 */
final class CacheUpstream implements AutoCloseable {
    record Answer(int status, List<String> headers, long delayMillis, int bodySize) {
    }

    final TestUpstream server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    CacheUpstream() throws IOException {
        server = TestUpstream.start("cache-upstream");
        server.behave((req, out) -> {
            req.drainBody();
            String path = req.target().split("\\?", 2)[0];
            int n = hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            Answer a = answers.getOrDefault(path, new Answer(200, List.of("Cache-Control: max-age=60"), 0, 0));
            if (a.delayMillis() > 0) {
                try {
                    Thread.sleep(a.delayMillis()); // a slow upstream: what collapsing is for
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = a.bodySize() > 0 ? new byte[a.bodySize()]
                    : (path + " v" + n).getBytes(StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(a.headers());
            lines.add("Content-Length: " + body.length);
            Behaviors.head(out, a.status(), lines.toArray(String[]::new));
            if (!req.method().equals("HEAD")) {
                out.write(body);
            }
            return true;
        });
    }

    CacheUpstream answer(String path, int status, long delayMillis, String... headers) {
        answers.put(path, new Answer(status, List.of(headers), delayMillis, 0));
        return this;
    }

    CacheUpstream answer(String path, String... headers) {
        return answer(path, 200, 0, headers);
    }

    CacheUpstream large(String path, int size, String... headers) {
        answers.put(path, new Answer(200, List.of(headers), 0, size));
        return this;
    }

    int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    String address() {
        return server.address();
    }

    @Override
    public void close() {
        server.close();
    }
}
