package dev.loomgate.gateway.async;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.loomgate.gateway.http.RequestView;

/** A stored job seen as a request, for the load balancer and the retry rules of the upstream call. */
record JobRequestView(String method, String host, String path, String rawQuery,
                      List<Map.Entry<String, String>> headers, String clientIp) implements RequestView {
    static JobRequestView of(Map<String, String> job) {
        String target = job.getOrDefault(JobFields.TARGET, "/");
        int q = target.indexOf('?');
        return new JobRequestView(job.getOrDefault(JobFields.METHOD, "GET"), job.getOrDefault(JobFields.HOST, ""),
                q < 0 ? target : target.substring(0, q), q < 0 ? "" : target.substring(q + 1),
                JobFields.headers(job.get(JobFields.HEADERS)), job.getOrDefault(JobFields.CLIENT_IP, ""));
    }

    @Override
    public List<String> headerValues(String name) {
        List<String> out = new ArrayList<>(1);
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                out.add(h.getValue());
            }
        }
        return out;
    }

    @Override
    public Optional<String> queryParam(String name) {
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (decode(k).equals(name)) {
                return Optional.of(eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return Optional.empty();
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    @Override
    public Optional<String> cookie(String name) {
        for (String header : headerValues("Cookie")) {
            for (String c : header.split(";")) {
                int eq = c.indexOf('=');
                if (eq > 0 && c.substring(0, eq).strip().equals(name)) {
                    return Optional.of(c.substring(eq + 1).strip());
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean peerIsTrustedProxy() {
        return false;
    }
}
