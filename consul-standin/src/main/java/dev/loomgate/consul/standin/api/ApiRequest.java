package dev.loomgate.consul.standin.api;

/** A request as the endpoints see it: decoded path, parsed query, whole body. */
record ApiRequest(String method, String path, QueryParams query, byte[] body) {
    /** The path after a route prefix, e.g. the KV key after {@code /v1/kv/}. */
    String rest(String prefix) {
        return path.substring(prefix.length());
    }
}
