package dev.loomgate.gateway.policy.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.loomgate.gateway.cache.CacheControl;
import dev.loomgate.gateway.cache.CacheKey;
import dev.loomgate.gateway.cache.CacheKeys;
import dev.loomgate.gateway.cache.CacheMetrics.Result;
import dev.loomgate.gateway.cache.CacheSettings;
import dev.loomgate.gateway.cache.CachedResponse;
import dev.loomgate.gateway.cache.CachedResponse.Header;
import dev.loomgate.gateway.cache.ResponseCache;
import dev.loomgate.gateway.cache.StoragePolicy;
import dev.loomgate.gateway.cache.VarySpec;
import dev.loomgate.gateway.http.RequestView;
import dev.loomgate.gateway.pipeline.Exchange;
import dev.loomgate.gateway.pipeline.Filter;
import dev.loomgate.gateway.pipeline.FilterChain;
import dev.loomgate.gateway.pipeline.ResponseWriter;

/**
 * One route's cache: answer from L1/L2 when fresh (HIT, or 304 for a matching conditional request), serve stale
 * and refresh after the answer (stale-while-revalidate), fall back to stale when the upstream fails
 * (stale-if-error), and on a miss let one request per cluster go upstream while the others wait (collapsing).
 */
final class CacheFilter implements Filter {
    private static final Logger LOG = Logger.getLogger(CacheFilter.class.getName());
    private static final long POLL_MILLIS = 10;
    private static final int MAX_TAGS = 16;
    private static final int MAX_TAG_LENGTH = 128;

    private final ResponseCache cache;
    private final CacheSettings settings;

    CacheFilter(ResponseCache cache, CacheSettings settings) {
        this.cache = cache;
        this.settings = settings;
    }

    @Override
    public void filter(Exchange ex, FilterChain chain) {
        RequestView req = ex.request();
        String method = req.method();
        String routeId = ex.match().route().id();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            invalidateAfterUnsafe(ex, chain, routeId);
            return;
        }
        CacheControl rcc = CacheControl.parse(req.headerValues("Cache-Control"));
        if (rcc.noStore()) {
            cache.metrics().record(routeId, Result.BYPASS, 0);
            ex.onResponseHead(h -> h.headers().set("X-Cache", Result.BYPASS.header()));
            chain.proceed();
            return;
        }
        CacheKey key = CacheKey.of(routeId, cache.generation(routeId), "GET", req.host(), req.path(), req.rawQuery(),
                settings.query());
        // a client's no-cache / max-age=0 asks for a response validated upstream: fetch (and store) anew
        boolean clientWantsFresh = rcc.noCache() || (rcc.maxAge().isPresent() && rcc.maxAge().getAsLong() == 0);
        Optional<CachedResponse> found = clientWantsFresh ? Optional.empty() : lookup(key, req);
        long now = cache.now();
        if (found.isPresent() && found.get().fresh(now)) {
            serve(ex, found.get(), Result.HIT);
            return;
        }
        if (found.isPresent() && found.get().usableWhileRevalidating(now)) {
            serve(ex, found.get(), Result.STALE);
            refreshAfterStale(ex, chain, key);
            return;
        }
        Optional<CachedResponse> onError = found.filter(r -> r.usableOnError(now));
        if (!settings.collapse() || clientWantsFresh || method.equals("HEAD")) {
            fetch(ex, chain, key, onError, Result.MISS);
            return;
        }
        collapsedFetch(ex, chain, key, onError);
    }

    /**
     * RFC 9111 4.4: a successful unsafe request (POST, PUT, DELETE, PATCH...) invalidates the stored responses for its
     * URL, on every node; OPTIONS and TRACE change nothing.
     */
    private void invalidateAfterUnsafe(Exchange ex, FilterChain chain, String routeId) {
        String method = ex.request().method();
        if (method.equals("OPTIONS") || method.equals("TRACE")) {
            chain.proceed();
            return;
        }
        int[] status = {0};
        ex.onResponseHead(head -> status[0] = head.status());
        chain.proceed();
        if (status[0] >= 200 && status[0] < 400) {
            RequestView req = ex.request();
            cache.purgeKey(CacheKeys.primary(routeId, cache.generation(routeId), "GET", req.host(), req.path(),
                    req.rawQuery(), settings.query()));
        }
    }

    private Optional<CachedResponse> lookup(CacheKey key, RequestView req) {
        return cache.lookup(key, spec -> variantOf(spec, req));
    }

    private static String variantOf(VarySpec spec, RequestView req) {
        List<List<String>> values = new ArrayList<>(spec.names().size());
        for (String name : spec.names()) {
            values.add(req.headerValues(name));
        }
        return CacheKeys.variant(spec.nonce(), spec.names(), values);
    }

    /**
     * A miss: the first request on this node leads, the others on this node wait for it; the leader takes the
     * cluster-wide lease, or, when another node holds it, polls L2 for that node's result. Every wait is bounded by
     * collapse-wait; after it the request goes upstream itself.
     */
    private void collapsedFetch(Exchange ex, FilterChain chain, CacheKey key, Optional<CachedResponse> onError) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        Optional<CompletableFuture<Void>> leader = cache.joinInFlight(key.primary(), mine);
        long waitMillis = settings.collapseWait().toMillis();
        if (leader.isPresent()) {
            await(leader.get(), waitMillis);
            Optional<CachedResponse> now = lookup(key, ex.request());
            if (now.isPresent() && now.get().fresh(cache.now())) {
                serve(ex, now.get(), Result.COLLAPSED);
                return;
            }
            fetch(ex, chain, key, onError, Result.MISS);
            return;
        }
        try {
            Optional<String> lease = cache.tryLease(key.primary(), Math.max(waitMillis, 100));
            if (lease.isEmpty()) {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
                while (System.nanoTime() < deadline) {
                    sleep(POLL_MILLIS);
                    Optional<CachedResponse> now = lookup(key, ex.request());
                    if (now.isPresent() && now.get().fresh(cache.now())) {
                        serve(ex, now.get(), Result.COLLAPSED);
                        return;
                    }
                    if (!cache.leaseHeld(key.primary())) {
                        break; // the other node's response was not storable (or it failed): go ourselves
                    }
                }
                fetch(ex, chain, key, onError, Result.MISS);
                return;
            }
            try {
                fetch(ex, chain, key, onError, Result.MISS);
            } finally {
                cache.releaseLease(key.primary(), lease.get());
            }
        } finally {
            cache.leaveInFlight(key.primary(), mine);
        }
    }

    /** Goes upstream with the response diverted through a capture; stores what may be stored. */
    private void fetch(Exchange ex, FilterChain chain, CacheKey key, Optional<CachedResponse> onError, Result label) {
        ResponseWriter client = ex.clientResponse(false);
        // the cache answers conditionals itself; upstream, a 304 would be unstorable
        ex.upstreamHeaders().remove("If-None-Match");
        ex.upstreamHeaders().remove("If-Modified-Since");
        boolean get = ex.request().method().equals("GET");
        long received = cache.now();
        CaptureWriter capture = new CaptureWriter(Optional.of(client), settings.maxObjectSize(), (status, headers) -> {
            if (status >= 500 && onError.isPresent()) {
                serve(ex, onError.get(), Result.STALE_IF_ERROR);
                return new CaptureWriter.Plan(false, false, "");
            }
            StoragePolicy.Verdict v = verdict(ex, status, headers, received);
            Result r = v.lifetimes().isPresent() || !get ? label : Result.UNCACHEABLE;
            cache.metrics().record(key.routeId(), r, 0);
            return new CaptureWriter.Plan(true, get && v.lifetimes().isPresent(), r.header());
        }, c -> store(ex, key, c, received));
        ex.divertResponse(capture);
        try {
            chain.proceed();
        } finally {
            ex.divertResponse(client);
        }
        if (capture.overflowed()) {
            cache.metrics().tooLarge();
        }
    }

    /** After a stale answer: one refresh per cluster (the lease), its response stored, nothing sent to the client. */
    private void refreshAfterStale(Exchange ex, FilterChain chain, CacheKey key) {
        Optional<String> lease = cache.tryLease(key.primary(), Math.max(settings.collapseWait().toMillis(), 100));
        if (lease.isEmpty()) {
            return; // another request refreshes it; the client is answered
        }
        try {
            ex.upstreamHeaders().remove("If-None-Match");
            ex.upstreamHeaders().remove("If-Modified-Since");
            long received = cache.now();
            CaptureWriter capture = new CaptureWriter(Optional.empty(), settings.maxObjectSize(), (status, headers) ->
                    new CaptureWriter.Plan(false, verdict(ex, status, headers, received).lifetimes().isPresent(), ""),
                    c -> store(ex, key, c, received));
            ex.divertResponse(capture);
            try {
                chain.proceed();
            } catch (RuntimeException e) {
                // the client has its (stale) answer; a failed refresh only means the entry stays stale
                LOG.log(Level.FINE, "cache refresh after a stale answer failed", e);
            } finally {
                ex.divertResponse(ex.clientResponse(false));
            }
        } finally {
            cache.releaseLease(key.primary(), lease.get());
        }
    }

    private StoragePolicy.Verdict verdict(Exchange ex, int status, List<Header> headers, long now) {
        return StoragePolicy.evaluate(settings, ex.request().method(), ex.request()::headerValues, status,
                name -> values(headers, name), now);
    }

    private void store(Exchange ex, CacheKey key, CaptureWriter.Captured c, long received) {
        StoragePolicy.Verdict v = verdict(ex, c.status(), c.headers(), received);
        if (v.lifetimes().isEmpty()) {
            return;
        }
        StoragePolicy.Lifetimes l = v.lifetimes().get();
        List<Header> kept = new ArrayList<>(c.headers().size());
        for (Header h : c.headers()) {
            String n = h.name();
            // never replay one client's cookie to another; Age is recomputed on every answer
            if (!n.equalsIgnoreCase("Set-Cookie") && !n.equalsIgnoreCase("Age") && !n.equalsIgnoreCase("X-Cache")) {
                kept.add(h);
            }
        }
        CachedResponse r = new CachedResponse(key.routeId(), c.status(), kept, c.body(), received,
                l.initialAgeMillis(), l.freshMillis(), l.swrMillis(), l.sieMillis(), tags(c.headers()));
        Optional<VarySpec> existing = cache.spec(key);
        VarySpec spec = existing.filter(s -> s.names().equals(l.varyNames()))
                .map(s -> new VarySpec(s.nonce(), s.names(), Math.max(s.lastUsableMillis(), r.lastUsableMillis())))
                .orElseGet(() -> cache.newSpec(l.varyNames(), r.lastUsableMillis()));
        cache.store(key, spec, variantOf(spec, ex.request()), r);
    }

    /** Cache-Tag / Surrogate-Key values (comma or space separated), bounded in count and length. */
    static List<String> tags(List<Header> headers) {
        List<String> tags = new ArrayList<>();
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase("Cache-Tag") || h.name().equalsIgnoreCase("Surrogate-Key")) {
                for (String t : h.value().split("[,\\s]+")) {
                    if (!t.isEmpty() && t.length() <= MAX_TAG_LENGTH && !tags.contains(t) && tags.size() < MAX_TAGS) {
                        tags.add(t);
                    }
                }
            }
        }
        return tags;
    }

    /** Answers from a stored response: 304 when the client's validators match, else the stored response. */
    private void serve(Exchange ex, CachedResponse r, Result result) {
        ResponseWriter out = ex.clientResponse(true);
        long now = cache.now();
        boolean notModified = r.status() == 200 && Conditional.notModified(ex.request(), r);
        out.status(notModified ? 304 : r.status());
        var h = out.headers();
        for (Header header : r.headers()) {
            if (!notModified || Conditional.keepOn304(header.name())) {
                h.add(header.name(), header.value());
            }
        }
        h.set("Age", Long.toString(r.ageMillis(now) / 1000));
        h.set("X-Cache", result.header());
        cache.metrics().record(r.routeId(), result, notModified ? 0 : r.body().length);
        if (notModified || ex.request().method().equals("HEAD")) {
            if (!notModified) {
                out.contentLength(r.body().length);
            }
            out.send();
        } else {
            out.send(r.body());
        }
    }

    private static List<String> values(List<Header> headers, String name) {
        List<String> out = new ArrayList<>(1);
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                out.add(h.value());
            }
        }
        return out;
    }

    private static void await(CompletableFuture<Void> f, long millis) {
        try {
            f.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // bounded wait over: go upstream
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis); // a bounded poll of L2 while another node fetches
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
