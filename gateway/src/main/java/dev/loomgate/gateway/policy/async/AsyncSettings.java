package dev.loomgate.gateway.policy.async;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.policy.auth.SecretRef;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * A route's {@code async:} block (docs/CONFIG.md, "async"): limits checked before a job is stored, how workers
 * run it, how long its result is kept and where it is announced. Immutable.
 *
 * @param maxBody          larger request bodies get a 413 before anything is stored
 * @param maxQueue         queued + waiting-for-retry jobs of the route beyond which a request gets a 503
 * @param workers          concurrent jobs of this route per node
 * @param maxAttempts      deliveries of one job before it goes to the dead-letter list
 * @param initialBackoff   wait before the second attempt; doubles per attempt up to {@code maxBackoff}
 * @param reclaimAfter     a delivery whose worker sent no heartbeat for this long is taken over by another node
 * @param drainRate        jobs per second one node starts for the route (0: no limit)
 * @param resultTtl        how long a final job and its result are kept
 * @param redirect         true: a finished job's status URL answers 303 to {@code /jobs/{id}/result}
 * @param retryAfter       the Retry-After of the 202 and of the pending status answers
 * @param replicas         the 202 waits until this many replicas confirmed the job (0: do not wait)
 * @param replicaTimeout   how long it waits; unconfirmed -> 503 (the job may still run; resubmit with the same key)
 * @param maxResultBody    larger upstream answers fail the job instead of being stored
 * @param dropHeaders      request headers (lower case) not stored with the job (credentials stay out of Redis)
 * @param webhook          where a final job is announced
 */
public record AsyncSettings(long maxBody, long maxQueue, int workers, int maxAttempts, Duration initialBackoff,
                            Duration maxBackoff, Duration reclaimAfter, double drainRate, Duration resultTtl,
                            boolean redirect, Duration retryAfter, int replicas, Duration replicaTimeout,
                            long maxResultBody, Set<String> dropHeaders, Optional<Webhook> webhook) {
    private static final Set<String> KEYS = new LinkedHashSet<>(List.of("max-body", "max-queue", "workers",
            "max-attempts", "initial-backoff", "max-backoff", "reclaim-after", "drain-rate", "result-ttl", "result",
            "retry-after", "replicas", "replica-timeout", "max-result-body", "drop-headers", "webhook"));
    private static final Set<String> WEBHOOK_KEYS = new LinkedHashSet<>(List.of("url", "secret-file", "secret-env",
            "max-attempts", "initial-backoff"));

    /**
     * @param url            the callback, http or https
     * @param secret         the HMAC-SHA256 key, resolved when the node creates the route
     * @param maxAttempts    deliveries tried before the callback is given up (the result stays readable)
     * @param initialBackoff wait before the second delivery; doubles
     */
    public record Webhook(URI url, SecretRef secret, int maxAttempts, Duration initialBackoff) {
    }

    public AsyncSettings {
        dropHeaders = Set.copyOf(dropHeaders);
    }

    public static AsyncSettings defaults() {
        return new AsyncSettings(1024 * 1024, 10_000, 4, 5, Duration.ofSeconds(1), Duration.ofMinutes(1),
                Duration.ofSeconds(30), 0, Duration.ofHours(1), false, Duration.ofSeconds(1), 0,
                Duration.ofMillis(500), 1024 * 1024, Set.of("authorization", "cookie", "proxy-authorization"),
                Optional.empty());
    }

    /** {@code async: {}} (all defaults) or a mapping of the keys above; unknown keys are errors. */
    public static AsyncSettings parse(YamlValue node) throws ConfigException {
        if (!node.isMapping()) {
            throw node.error("expected a mapping (use {} for the defaults)");
        }
        YamlValue.Fields f = node.fields(KEYS);
        AsyncSettings d = defaults();
        long maxBody = f.has("max-body") ? f.required("max-body").sizeIn(0, 64L * 1024 * 1024) : d.maxBody();
        long maxQueue = f.has("max-queue") ? f.required("max-queue").intIn(1, 10_000_000) : d.maxQueue();
        int workers = f.has("workers") ? f.required("workers").intIn(1, 1024) : d.workers();
        int attempts = f.has("max-attempts") ? f.required("max-attempts").intIn(1, 100) : d.maxAttempts();
        Duration initial = f.duration("initial-backoff", d.initialBackoff(), Duration.ofMillis(10), Duration.ofHours(1));
        Duration max = f.duration("max-backoff", d.maxBackoff(), initial, Duration.ofDays(1));
        Duration reclaim = f.duration("reclaim-after", d.reclaimAfter(), Duration.ofMillis(500), Duration.ofHours(1));
        double rate = f.has("drain-rate") ? f.required("drain-rate").intIn(0, 1_000_000) : 0;
        Duration ttl = f.duration("result-ttl", d.resultTtl(), Duration.ofSeconds(1), Duration.ofDays(30));
        boolean redirect = false;
        if (f.has("result")) {
            String r = f.required("result").nonBlankString().strip().toLowerCase(Locale.ROOT);
            if (!r.equals("inline") && !r.equals("redirect")) {
                throw f.required("result").error("must be inline or redirect, got '" + r + "'");
            }
            redirect = r.equals("redirect");
        }
        Duration retryAfter = f.duration("retry-after", d.retryAfter(), Duration.ofSeconds(1), Duration.ofHours(1));
        int replicas = f.has("replicas") ? f.required("replicas").intIn(0, 16) : 0;
        // below the queue pool's 3 s read timeout, which WAIT must not outlast
        Duration replicaTimeout = f.duration("replica-timeout", d.replicaTimeout(), Duration.ofMillis(1),
                Duration.ofSeconds(2));
        long maxResult = f.has("max-result-body") ? f.required("max-result-body").sizeIn(0, 64L * 1024 * 1024)
                : d.maxResultBody();
        Set<String> drop = d.dropHeaders();
        if (f.has("drop-headers")) {
            List<String> names = new ArrayList<>();
            for (YamlValue v : f.required("drop-headers").sequence()) {
                names.add(v.nonBlankString().strip().toLowerCase(Locale.ROOT));
            }
            drop = new LinkedHashSet<>(names);
        }
        Optional<Webhook> webhook = f.has("webhook") ? Optional.of(webhook(f.required("webhook"))) : Optional.empty();
        return new AsyncSettings(maxBody, maxQueue, workers, attempts, initial, max, reclaim, rate, ttl, redirect,
                retryAfter, replicas, replicaTimeout, maxResult, drop, webhook);
    }

    private static Webhook webhook(YamlValue node) throws ConfigException {
        if (!node.isMapping()) {
            throw node.error("expected a mapping with url and secret-file or secret-env");
        }
        YamlValue.Fields f = node.fields(WEBHOOK_KEYS);
        YamlValue urlNode = f.required("url");
        URI url;
        try {
            url = URI.create(urlNode.nonBlankString().strip());
        } catch (IllegalArgumentException e) {
            throw urlNode.error("not a URL: " + e.getMessage());
        }
        if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))
                || url.getHost() == null) {
            throw urlNode.error("must be an absolute http or https URL");
        }
        int attempts = f.has("max-attempts") ? f.required("max-attempts").intIn(1, 50) : 5;
        Duration initial = f.duration("initial-backoff", Duration.ofSeconds(1), Duration.ofMillis(10),
                Duration.ofMinutes(10));
        return new Webhook(url, SecretRef.parse(f, "secret"), attempts, initial);
    }

    /** Wait before attempt {@code attempt + 1} after {@code attempt} attempts failed: doubling, capped. */
    public Duration backoff(int attempt) {
        long ms = initialBackoff.toMillis();
        for (int i = 1; i < attempt && ms < maxBackoff.toMillis(); i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
    }
}
