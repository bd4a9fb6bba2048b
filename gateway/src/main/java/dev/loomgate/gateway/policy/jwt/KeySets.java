package dev.loomgate.gateway.policy.jwt;

import java.net.MalformedURLException;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;

/**
 * A node's JWKS key caches, one per {@link JwksSettings}, kept across routes versions so that a reload neither
 * refetches keys nor forgets the last good ones. A node service ({@code NodeServices}); a filter made without one
 * gets its own.
 *
 * <p>Each source is nimbus' {@link JWKSourceBuilder} chain: cache with refresh-ahead, a rate-limited refetch when
 * a token names an unknown {@code kid} (one caller fetches, the others wait for its result: single flight),
 * outage tolerance (the last good keys keep serving while fetches fail) and no retries, so a request that needs
 * keys waits for one fetch at most: {@code jwks-timeout} to connect and {@code jwks-timeout} per read.
 */
public final class KeySets implements AutoCloseable {
    /** Routes versions that change JWKS settings leave old caches behind; this bounds them. */
    static final int MAX_SOURCES = 256;

    private final Map<JwksSettings, JWKSource<SecurityContext>> sources = new ConcurrentHashMap<>();

    public JWKSource<SecurityContext> source(JwksSettings settings) {
        JWKSource<SecurityContext> existing = sources.get(settings);
        if (existing != null) {
            return existing;
        }
        if (sources.size() >= MAX_SOURCES) {
            evictOne();
        }
        return sources.computeIfAbsent(settings, KeySets::build);
    }

    private void evictOne() {
        Iterator<Map.Entry<JwksSettings, JWKSource<SecurityContext>>> it = sources.entrySet().iterator();
        if (it.hasNext()) {
            close(it.next().getValue());
            it.remove();
        }
    }

    static JWKSource<SecurityContext> build(JwksSettings s) {
        int timeoutMs = (int) Math.max(1, s.timeout().toMillis());
        DefaultResourceRetriever retriever = new DefaultResourceRetriever(timeoutMs, timeoutMs, s.maxSize());
        try {
            return JWKSourceBuilder.<SecurityContext>create(s.url().toURL(), retriever)
                    .cache(s.cacheTtl().toMillis(), timeoutMs)
                    .refreshAheadCache(s.refreshAhead().toMillis(), false)
                    .rateLimited(s.minRefetch().toMillis())
                    .outageTolerant(s.outageTolerance().toMillis())
                    .retrying(false)
                    .build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("jwks-url: " + e.getMessage(), e);
        }
    }

    private static void close(JWKSource<SecurityContext> source) {
        if (source instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // a cache that cannot close its refresh executor leaves a daemon thread; nothing else to do
            }
        }
    }

    @Override
    public void close() {
        sources.values().forEach(KeySets::close);
        sources.clear();
    }
}
