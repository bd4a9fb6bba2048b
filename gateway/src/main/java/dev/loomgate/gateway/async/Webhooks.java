package dev.loomgate.gateway.async;

import dev.loomgate.gateway.policy.async.AsyncSettings;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Announces a final job to the route's webhook: a JSON POST signed like Stripe's, {@code Loomgate-Signature:
 * t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>}, retried with doubling backoff on a non-2xx answer
 * or a transport error. Best effort: the attempts live in this node's memory (a node that dies mid-way drops the
 * remaining ones; the result stays readable at the status URL).
 */
final class Webhooks {
    static final String SIGNATURE = "Loomgate-Signature";
    private static final Logger LOG = Logger.getLogger(Webhooks.class.getName());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** {@code t=...,v1=...} for this body at this time. */
    static String sign(String secret, long epochSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((epochSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return "t=" + epochSeconds + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is required by every JVM", e);
        }
    }

    /** Delivers on a virtual thread of its own, so a slow receiver never holds a worker. */
    void deliver(AsyncSettings.Webhook hook, String secret, String jobId, byte[] body, AsyncMetrics.Route metrics) {
        Thread.ofVirtual().name("loomgate-webhook").start(() -> {
            Duration wait = hook.initialBackoff();
            for (int attempt = 1; attempt <= hook.maxAttempts(); attempt++) {
                try {
                    HttpRequest req = HttpRequest.newBuilder(hook.url()).timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .header("Loomgate-Job-Id", jobId)
                            .header(SIGNATURE, sign(secret, System.currentTimeMillis() / 1000, body))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                    int status = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (status / 100 == 2) {
                        metrics.webhooksDelivered.increment();
                        return;
                    }
                    LOG.fine(() -> "webhook for job " + jobId + " answered " + status);
                } catch (IOException e) {
                    LOG.log(Level.FINE, "webhook for job " + jobId + " failed", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (attempt < hook.maxAttempts()) {
                    try {
                        Thread.sleep(wait);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    wait = wait.multipliedBy(2);
                }
            }
            metrics.webhooksFailed.increment();
            LOG.warning(() -> "webhook for job " + jobId + " given up after " + hook.maxAttempts() + " attempts");
        });
    }
}
