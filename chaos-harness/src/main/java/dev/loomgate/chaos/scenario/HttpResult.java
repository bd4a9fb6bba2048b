package dev.loomgate.chaos.scenario;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** A small HTTP answer (admin port, front probe); header names lower-case. */
public record HttpResult(int status, Map<String, String> headers, String body) {

    public HttpResult {
        headers = Map.copyOf(headers);
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** GET from this JVM (loopback mode). */
    public static HttpResult get(URI uri, Map<String, String> requestHeaders) throws IOException {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        requestHeaders.forEach(c::setRequestProperty);
        c.setConnectTimeout(500);
        c.setReadTimeout(2000);
        try {
            int status = c.getResponseCode();
            Map<String, String> headers = new HashMap<>();
            c.getHeaderFields().forEach((k, v) -> {
                if (k != null && !v.isEmpty()) {
                    headers.put(k.toLowerCase(Locale.ROOT), v.getFirst());
                }
            });
            try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                return new HttpResult(status, headers,
                        in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } finally {
            c.disconnect();
        }
    }
}
