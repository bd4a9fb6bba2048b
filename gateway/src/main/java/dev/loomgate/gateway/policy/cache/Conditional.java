package dev.loomgate.gateway.policy.cache;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.cache.CachedResponse;
import dev.loomgate.gateway.cache.StoragePolicy;
import dev.loomgate.gateway.http.RequestView;

/** Conditional requests against a stored response (RFC 9110 13): If-None-Match first, else If-Modified-Since. */
final class Conditional {
    /** Headers a 304 carries (RFC 9110 15.4.5). */
    private static final Set<String> ON_304 = Set.of("cache-control", "content-location", "date", "etag", "expires",
            "vary", "last-modified");

    private Conditional() {
    }

    static boolean keepOn304(String name) {
        return ON_304.contains(name.toLowerCase(Locale.ROOT));
    }

    static boolean notModified(RequestView req, CachedResponse r) {
        var inm = req.headerValues("If-None-Match");
        if (!inm.isEmpty()) {
            Optional<String> etag = r.header("ETag").map(Conditional::opaque);
            for (String v : inm) {
                for (String candidate : v.split(",")) {
                    String c = candidate.strip();
                    if (c.equals("*") || (etag.isPresent() && etag.get().equals(opaque(c)))) {
                        return true; // weak comparison, as RFC 9110 13.1.2 asks for If-None-Match
                    }
                }
            }
            return false;
        }
        Optional<String> ims = req.header("If-Modified-Since");
        if (ims.isEmpty()) {
            return false;
        }
        Optional<Long> since = StoragePolicy.httpDate(ims.get());
        Optional<Long> modified = r.header("Last-Modified").flatMap(StoragePolicy::httpDate);
        return since.isPresent() && modified.isPresent() && modified.get() <= since.get();
    }

    private static String opaque(String etag) {
        String e = etag.strip();
        return e.startsWith("W/") ? e.substring(2) : e;
    }
}
