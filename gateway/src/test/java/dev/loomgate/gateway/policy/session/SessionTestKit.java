package dev.loomgate.gateway.policy.session;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;

/** What the session tests share: an upstream that drives the session and echoes what it got, cookies, secrets. */
final class SessionTestKit {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SessionTestKit() {
    }

    /**
     * An upstream answering 200 with a body of the request's {@code X-Attr-*} and {@code Authorization} headers (one
     * {@code name: value} line each), and asking the gateway to change the session per the query: {@code set=a%3D1}
     * becomes {@code Loomgate-Session-Set: a=1}, {@code remove=a}, {@code rotate=1}, {@code end=1}.
     */
    static TestUpstream.Behavior sessionDriver(String name) {
        return (req, out) -> {
            req.drainBody();
            Map<String, String> q = query(req.target());
            StringBuilder body = new StringBuilder("served-by: " + name + "\n");
            new TreeMap<>(req.headers()).forEach((k, v) -> {
                if (k.startsWith("x-attr-") || k.equals("authorization")) {
                    body.append(k).append(": ").append(String.join(",", v)).append('\n');
                }
            });
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            java.util.ArrayList<String> lines = new java.util.ArrayList<>();
            lines.add("Content-Length: " + bytes.length);
            lines.add("X-Served-By: " + name);
            if (q.containsKey("set")) {
                lines.add("Loomgate-Session-Set: " + q.get("set"));
            }
            if (q.containsKey("remove")) {
                lines.add("Loomgate-Session-Remove: " + q.get("remove"));
            }
            if (q.containsKey("rotate")) {
                lines.add("Loomgate-Session-Rotate: 1");
            }
            if (q.containsKey("end")) {
                lines.add("Loomgate-Session-End: 1");
            }
            Behaviors.head(out, 200, lines.toArray(String[]::new));
            out.write(bytes);
            return true;
        };
    }

    /** Raw (still encoded) query parameters; the set value stays encoded, as the upstream header wants it. */
    static Map<String, String> query(String target) {
        Map<String, String> out = new TreeMap<>();
        int q = target.indexOf('?');
        if (q < 0) {
            return out;
        }
        for (String p : target.substring(q + 1).split("&")) {
            int eq = p.indexOf('=');
            if (eq > 0) {
                out.put(p.substring(0, eq), java.net.URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** Writes a signing secret file and returns its path. */
    static Path secret(Path dir, String name, String value) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, value);
        return p;
    }

    /** A request with (optionally) a session cookie. */
    static HttpResponse<String> get(TestGateway node, String pathAndQuery, Optional<String> cookie)
            throws IOException, InterruptedException {
        return get(node.uri(pathAndQuery), cookie, "lg_session");
    }

    static HttpResponse<String> get(URI uri, Optional<String> cookie, String cookieName)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
        cookie.ifPresent(c -> b.header("Cookie", cookieName + "=" + c));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value the response's Set-Cookie gives the session cookie, if it sets one. */
    static Optional<String> setCookie(HttpResponse<?> r) {
        return setCookie(r, "lg_session");
    }

    static Optional<String> setCookie(HttpResponse<?> r, String name) {
        for (String h : r.headers().allValues("Set-Cookie")) {
            if (h.startsWith(name + "=")) {
                return Optional.of(h.substring(name.length() + 1, h.indexOf(';')));
            }
        }
        return Optional.empty();
    }

    /** The full Set-Cookie header for the session cookie. */
    static String setCookieHeader(HttpResponse<?> r) {
        return r.headers().allValues("Set-Cookie").stream().filter(h -> h.startsWith("lg_session="))
                .findFirst().orElseThrow(() -> new AssertionError("no session cookie set: " + r.headers().map()));
    }

    /** The session id inside a cookie value ({@code v1.<kid>.<id>.<sig>}). */
    static String idOf(String cookie) {
        return cookie.split("\\.")[2];
    }

    /** Lines {@code name: value} of the driver's body. */
    static Map<String, String> echoed(HttpResponse<String> r) {
        Map<String, String> out = new TreeMap<>();
        for (String line : r.body().split("\n")) {
            int c = line.indexOf(": ");
            if (c > 0) {
                out.put(line.substring(0, c), line.substring(c + 2));
            }
        }
        return out;
    }

    static List<String> lines(String text) {
        return List.of(text.split("\n"));
    }
}
