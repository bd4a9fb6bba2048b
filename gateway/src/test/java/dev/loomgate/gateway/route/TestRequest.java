package dev.loomgate.gateway.route;

import dev.loomgate.gateway.http.RequestView;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** A RequestView built directly in tests. Header names are stored lower-case. */
public record TestRequest(String method, String host, String path, String rawQuery,
                          Map<String, List<String>> headers, String clientIp) implements RequestView {

    public static TestRequest get(String host, String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
        return new TestRequest("GET", host, path, query, Map.of(), "127.0.0.1");
    }

    public static TestRequest get(String pathAndQuery) {
        return get("", pathAndQuery);
    }

    public TestRequest withMethod(String m) {
        return new TestRequest(m, host, path, rawQuery, headers, clientIp);
    }

    public TestRequest withHeader(String name, String value) {
        Map<String, List<String>> h = new LinkedHashMap<>(headers);
        List<String> values = new ArrayList<>(h.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()));
        values.add(value);
        h.put(name.toLowerCase(Locale.ROOT), List.copyOf(values));
        return new TestRequest(method, host, path, rawQuery, Map.copyOf(h), clientIp);
    }

    @Override
    public List<String> headerValues(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    @Override
    public Optional<String> cookie(String name) {
        return Optional.empty();
    }

    @Override
    public boolean peerIsTrustedProxy() {
        return false;
    }
}
