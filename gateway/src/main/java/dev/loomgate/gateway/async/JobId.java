package dev.loomgate.gateway.async;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A job's id: {@code <route id, base64url>.<128 random bits, hex>}. The route is in the id so any node can find
 * the job's keys (they share the route's hash tag) and run the route's filters (authentication) before it reads
 * Redis at all; the random part makes ids unguessable, so a status URL is a capability, never enumerable.
 */
public record JobId(String routeId, String value) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_LENGTH = 300;

    public static JobId create(String routeId) {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        String route = Base64.getUrlEncoder().withoutPadding().encodeToString(routeId.getBytes(StandardCharsets.UTF_8));
        return new JobId(routeId, route + "." + HexFormat.of().formatHex(random));
    }

    /** The id when {@code text} is well formed; empty for anything else (answered with a 404, like an unknown id). */
    public static Optional<JobId> parse(String text) {
        if (text.isEmpty() || text.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        int dot = text.indexOf('.');
        if (dot <= 0 || text.length() - dot - 1 != 32 || text.indexOf('.', dot + 1) >= 0) {
            return Optional.empty();
        }
        for (int i = dot + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return Optional.empty();
            }
        }
        try {
            byte[] route = Base64.getUrlDecoder().decode(text.substring(0, dot));
            String routeId = new String(route, StandardCharsets.UTF_8);
            return routeId.isEmpty() ? Optional.empty() : Optional.of(new JobId(routeId, text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
