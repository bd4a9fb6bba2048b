package dev.loomgate.gateway.cache;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;

/**
 * RFC 9111 shared-cache rules: whether a response may be stored (section 3) and for how long it is fresh (4.2),
 * plus the stale-while-revalidate / stale-if-error windows (RFC 5861).
 */
public final class StoragePolicy {
    /** Statuses cacheable without explicit freshness (RFC 9110 15.1 "heuristically cacheable"). */
    private static final Set<Integer> DEFAULT_CACHEABLE = Set.of(200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501);

    private StoragePolicy() {
    }

    /** The lifetimes of a storable response. */
    public record Lifetimes(long initialAgeMillis, long freshMillis, long swrMillis, long sieMillis,
                            List<String> varyNames) {
    }

    /** A verdict: the lifetimes when storable, else why not (for logs and tests). */
    public record Verdict(Optional<Lifetimes> lifetimes, String reason) {
        static Verdict no(String reason) {
            return new Verdict(Optional.empty(), reason);
        }
    }

    /**
     * @param requestHeader  the client's request header values by name
     * @param responseHeader the upstream's response header values by name
     */
    public static Verdict evaluate(CacheSettings settings, String method, Function<String, List<String>> requestHeader,
                                   int status, Function<String, List<String>> responseHeader, long nowMillis) {
        if (!method.equals("GET")) {
            return Verdict.no("method " + method);
        }
        CacheControl req = CacheControl.parse(requestHeader.apply("Cache-Control"));
        if (req.noStore()) {
            return Verdict.no("request no-store");
        }
        CacheControl res = CacheControl.parse(responseHeader.apply("Cache-Control"));
        if (res.noStore()) {
            return Verdict.no("no-store");
        }
        if (res.isPrivate()) {
            return Verdict.no("private");
        }
        if (res.noCache()) {
            return Verdict.no("no-cache (revalidation on every use is not stored)");
        }
        if (status == 206 || status == 304 || status < 200) {
            return Verdict.no("status " + status);
        }
        boolean authorized = !requestHeader.apply("Authorization").isEmpty();
        if (authorized && !res.isPublic() && res.sMaxAge().isEmpty() && !res.mustRevalidate()) {
            return Verdict.no("request has Authorization and the response is not public");
        }
        if (!responseHeader.apply("Set-Cookie").isEmpty() && !settings.storeSetCookie()) {
            return Verdict.no("Set-Cookie");
        }
        List<String> vary = new ArrayList<>();
        for (String v : responseHeader.apply("Vary")) {
            for (String name : v.split(",")) {
                String n = name.strip().toLowerCase(Locale.ROOT);
                if (n.equals("*")) {
                    return Verdict.no("Vary: *");
                }
                if (!n.isEmpty() && !vary.contains(n)) {
                    vary.add(n);
                }
                if (vary.size() > settings.maxVary()) {
                    return Verdict.no("more than " + settings.maxVary() + " Vary headers");
                }
            }
        }
        vary.sort(null);
        OptionalLong explicit = explicitFreshnessMillis(res, responseHeader, nowMillis);
        if (explicit.isEmpty() && !DEFAULT_CACHEABLE.contains(status)) {
            return Verdict.no("status " + status + " without explicit freshness");
        }
        if (status >= 500 && status != 501) {
            return Verdict.no("status " + status);
        }
        long max = settings.maxTtl().toMillis();
        long fresh = Math.min(max, explicit.orElse(settings.defaultTtl().toMillis()));
        // s-maxage implies proxy-revalidate: neither lets a shared cache serve stale
        boolean noStale = res.mustRevalidate() || res.proxyRevalidate() || res.sMaxAge().isPresent();
        long swr = noStale ? 0 : Math.min(max, res.staleWhileRevalidate().orElse(0) * 1000);
        long sie = noStale ? 0 : Math.min(max, res.staleIfError().isPresent() ? res.staleIfError().getAsLong() * 1000
                : settings.staleIfError().toMillis());
        long age = first(responseHeader.apply("Age")).map(a -> CacheControl.delta(a) * 1000).orElse(0L);
        if (fresh - age + Math.max(swr, sie) <= 0) {
            return Verdict.no("no freshness left");
        }
        return new Verdict(Optional.of(new Lifetimes(Math.max(0, age), fresh, swr, sie, List.copyOf(vary))), "");
    }

    /** s-maxage, else max-age, else Expires minus Date; empty when the response states none. */
    static OptionalLong explicitFreshnessMillis(CacheControl res, Function<String, List<String>> header, long now) {
        if (res.sMaxAge().isPresent()) {
            return OptionalLong.of(res.sMaxAge().getAsLong() * 1000);
        }
        if (res.maxAge().isPresent()) {
            return OptionalLong.of(res.maxAge().getAsLong() * 1000);
        }
        Optional<String> expires = first(header.apply("Expires"));
        if (expires.isEmpty()) {
            return OptionalLong.empty();
        }
        // an invalid Expires (e.g. "0") means already expired (RFC 9111 5.3)
        long exp = httpDate(expires.get()).orElse(Long.MIN_VALUE);
        if (exp == Long.MIN_VALUE) {
            return OptionalLong.of(0);
        }
        long date = first(header.apply("Date")).flatMap(StoragePolicy::httpDate).orElse(now);
        return OptionalLong.of(Math.max(0, exp - date));
    }

    /** IMF-fixdate (and the RFC 1123 variants Java reads); empty when unparseable. */
    public static Optional<Long> httpDate(String text) {
        if (text.length() > 64) {
            return Optional.empty();
        }
        try {
            return Optional.of(ZonedDateTime.parse(text.strip(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant().toEpochMilli());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> first(List<String> values) {
        return values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }
}
