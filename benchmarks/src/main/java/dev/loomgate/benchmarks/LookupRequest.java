package dev.loomgate.benchmarks;

import dev.loomgate.gateway.http.RequestView;

import java.util.List;

/** A request as routing sees it: method, host and path, no headers, query or cookies. */
record LookupRequest(String method, String host, String path) implements RequestView {
    @Override
    public String rawQuery() {
        return "";
    }

    @Override
    public List<String> headerValues(String name) {
        return List.of();
    }

    @Override
    public String clientIp() {
        return "127.0.0.1";
    }

    @Override
    public boolean peerIsTrustedProxy() {
        return false;
    }
}
