package dev.loomgate.gateway.async;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
    public boolean peerIsTrustedProxy() {
        return false;
    }
}
