package dev.loomgate.consul.standin.agent;

import dev.loomgate.consul.standin.store.CheckDefinition;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** Runs one HTTP or TCP probe the way Consul's checkers do (SPEC A-7). */
final class CheckProbe {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_OUTPUT = 4096;
    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(200, "OK"), Map.entry(201, "Created"), Map.entry(202, "Accepted"),
            Map.entry(204, "No Content"), Map.entry(301, "Moved Permanently"), Map.entry(302, "Found"),
            Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"), Map.entry(403, "Forbidden"),
            Map.entry(404, "Not Found"), Map.entry(429, "Too Many Requests"),
            Map.entry(500, "Internal Server Error"), Map.entry(502, "Bad Gateway"),
            Map.entry(503, "Service Unavailable"), Map.entry(504, "Gateway Timeout"));

    record Result(String status, String output) {
    }

    private CheckProbe() {
    }

    static Result run(CheckDefinition check) {
        return switch (check.type()) {
            case "http" -> http(check);
            case "tcp" -> tcp(check);
            default -> new Result("critical", "the Consul stand-in does not run " + check.type() + " checks");
        };
    }

    private static Duration timeout(CheckDefinition check) {
        return check.timeout().isZero() ? DEFAULT_TIMEOUT : check.timeout();
    }

    private static Result http(CheckDefinition check) {
        String method = check.method().isEmpty() ? "GET" : check.method();
        String prefix = "HTTP " + method + " " + check.http() + ": ";
        Duration timeout = timeout(check);
        HttpClient.Builder clientBuilder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(check.disableRedirects() ? HttpClient.Redirect.NEVER : HttpClient.Redirect.NORMAL);
        if (check.tlsSkipVerify()) {
            clientBuilder.sslContext(trustAll());
        }
        // a fresh client per probe: Consul's checker does not keep connections alive
        try (HttpClient client = clientBuilder.build()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(check.http())).timeout(timeout)
                    .method(method, check.body().isEmpty() ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(check.body()));
            boolean userAgent = false;
            boolean accept = false;
            for (Map.Entry<String, List<String>> h : check.header().entrySet()) {
                userAgent |= h.getKey().equalsIgnoreCase("User-Agent");
                accept |= h.getKey().equalsIgnoreCase("Accept");
                for (String v : h.getValue()) {
                    request.header(h.getKey(), v);
                }
            }
            if (!userAgent) {
                request.header("User-Agent", "Consul Health Check");
            }
            if (!accept) {
                request.header("Accept", "text/plain, text/*, */*");
            }
            HttpResponse<InputStream> response = client.send(request.build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readNBytes(MAX_OUTPUT), StandardCharsets.UTF_8);
            }
            int code = response.statusCode();
            String statusLine = code + (REASONS.containsKey(code) ? " " + REASONS.get(code) : "");
            String output = prefix + statusLine + " Output: " + body;
            if (code >= 200 && code <= 299) {
                return new Result("passing", output);
            }
            return new Result(code == 429 ? "warning" : "critical", output);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result("critical", prefix + "interrupted");
        } catch (IOException | IllegalArgumentException e) {
            return new Result("critical", prefix + e);
        }
    }

    private static Result tcp(CheckDefinition check) {
        String target = check.tcp();
        int colon = target.lastIndexOf(':');
        String prefix = "TCP connect " + target + ": ";
        if (colon < 0) {
            return new Result("critical", prefix + "missing port in address");
        }
        String host = target.substring(0, colon).replace("[", "").replace("]", "");
        try (Socket socket = new Socket()) {
            int port = Integer.parseInt(target.substring(colon + 1));
            socket.connect(new InetSocketAddress(host, port), (int) timeout(check).toMillis());
            return new Result("passing", prefix + "Success");
        } catch (IOException | IllegalArgumentException e) {
            return new Result("critical", prefix + e.getMessage());
        }
    }

    private static SSLContext trustAll() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            TrustManager trustEverything = new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            };
            context.init(null, new TrustManager[] {trustEverything}, new SecureRandom());
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context for TLSSkipVerify", e);
        }
    }
}
