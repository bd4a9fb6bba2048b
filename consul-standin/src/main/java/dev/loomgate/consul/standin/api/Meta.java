package dev.loomgate.consul.standin.api;

/** The query-meta headers of blocking endpoints, in Go's canonical spelling (SPEC G-8, BQ-7). */
final class Meta {
    private Meta() {
    }

    /** KV GET: index, known leader and last contact, but no effective consistency. */
    static ApiResponse kv(ApiResponse response, long index) {
        return response.header("X-Consul-Index", Long.toUnsignedString(Math.max(index, 1)))
                .header("X-Consul-Knownleader", "true")
                .header("X-Consul-Lastcontact", "0");
    }

    /** Catalog, health and session reads also report the consistency mode used. */
    static ApiResponse catalog(ApiResponse response, long index, String consistency) {
        return kv(response, index).header("X-Consul-Effective-Consistency", consistency);
    }
}
