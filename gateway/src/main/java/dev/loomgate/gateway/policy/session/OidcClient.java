package dev.loomgate.gateway.policy.session;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * The gateway's side of the OIDC authorization code flow with PKCE: the authorization URL, the code exchange and
 * the refresh at the token endpoint (a back channel over which the id token's issuer is trusted, as OIDC Core
 * 3.1.3.7 allows; its iss, aud and exp are still checked).
 */
final class OidcClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_RESPONSE = 64 * 1024;
    private final OidcSettings settings;
    private final Optional<String> clientSecret;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    OidcClient(OidcSettings settings, Optional<String> clientSecret) {
        this.settings = settings;
        this.clientSecret = clientSecret;
    }

    OidcSettings settings() {
        return settings;
    }

    /** Tokens from the token endpoint; {@code expiresAtMillis} is this node's clock. */
    record Tokens(String accessToken, Optional<String> refreshToken, long expiresAtMillis, Optional<String> idToken,
                  Optional<String> subject, List<String> scopes) {
    }

    /** The token endpoint refused (400/401: bad code, revoked refresh token) or answered nonsense. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /** The token endpoint could not be reached in time. */
    static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message);
        }
    }

    static String challenge(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String authorizationUrl(String state, String verifier, String nonce) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", settings.clientId());
        q.put("redirect_uri", settings.redirectUri().toString());
        q.put("scope", String.join(" ", settings.scopes()));
        q.put("state", state);
        q.put("nonce", nonce);
        q.put("code_challenge", challenge(verifier));
        q.put("code_challenge_method", "S256");
        String base = settings.authorizationEndpoint().toString();
        return base + (base.contains("?") ? "&" : "?") + form(q);
    }

    Tokens exchangeCode(String code, String verifier) throws Refused, Unreachable {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("grant_type", "authorization_code");
        f.put("code", code);
        f.put("redirect_uri", settings.redirectUri().toString());
        f.put("code_verifier", verifier);
        return tokens(post(f), true, Optional.empty());
    }

    Tokens refresh(String refreshToken) throws Refused, Unreachable {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("grant_type", "refresh_token");
        f.put("refresh_token", refreshToken);
        return tokens(post(f), false, Optional.of(refreshToken));
    }

    /** RP-initiated logout URL, when the provider has an end-session endpoint. */
    Optional<String> endSessionUrl(Optional<String> idToken) {
        return settings.endSessionEndpoint().map(e -> {
            Map<String, String> q = new LinkedHashMap<>();
            idToken.ifPresent(t -> q.put("id_token_hint", t));
            q.put("client_id", settings.clientId());
            settings.postLogoutRedirect().ifPresent(u -> q.put("post_logout_redirect_uri", u.toString()));
            String base = e.toString();
            return base + (base.contains("?") ? "&" : "?") + form(q);
        });
    }

    private JsonObject post(Map<String, String> fields) throws Refused, Unreachable {
        Map<String, String> all = new LinkedHashMap<>(fields);
        HttpRequest.Builder b = HttpRequest.newBuilder(settings.tokenEndpoint()).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json");
        if (clientSecret.isPresent()) {
            String basic = URLEncoder.encode(settings.clientId(), StandardCharsets.UTF_8) + ":"
                    + URLEncoder.encode(clientSecret.get(), StandardCharsets.UTF_8);
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
        } else {
            all.put("client_id", settings.clientId());
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.POST(HttpRequest.BodyPublishers.ofString(form(all))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unreachable("token endpoint: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted");
        }
        if (r.statusCode() >= 500) {
            throw new Unreachable("token endpoint answered " + r.statusCode());
        }
        if (r.statusCode() != 200 || r.body().length() > MAX_RESPONSE) {
            throw new Refused("token endpoint answered " + r.statusCode());
        }
        try {
            return jakarta.json.Json.createReader(new StringReader(r.body())).readObject();
        } catch (RuntimeException e) {
            throw new Refused("token endpoint answered no JSON object");
        }
    }

    private Tokens tokens(JsonObject o, boolean needIdToken, Optional<String> previousRefresh) throws Refused {
        String access = string(o, "access_token").orElseThrow(() -> new Refused("no access_token"));
        long expiresIn = o.get("expires_in") instanceof jakarta.json.JsonNumber n ? n.longValue() : 300;
        Optional<String> idToken = string(o, "id_token");
        Optional<String> subject = Optional.empty();
        if (needIdToken) {
            JsonObject claims = idToken.map(OidcClient::claims).orElseThrow(() -> new Refused("no valid id_token"));
            if (!settings.issuer().equals(string(claims, "iss").orElse(""))) {
                throw new Refused("id_token from another issuer");
            }
            JsonValue aud = claims.get("aud");
            boolean audOk = aud instanceof JsonString s ? s.getString().equals(settings.clientId())
                    : aud instanceof jakarta.json.JsonArray a && a.stream().anyMatch(v -> v instanceof JsonString s
                    && s.getString().equals(settings.clientId()));
            if (!audOk) {
                throw new Refused("id_token not for this client");
            }
            if (claims.get("exp") instanceof jakarta.json.JsonNumber exp
                    && exp.longValue() * 1000 < System.currentTimeMillis() - 60_000) {
                throw new Refused("id_token expired");
            }
            subject = string(claims, settings.consumerClaim()).filter(s -> !s.isBlank());
            if (subject.isEmpty()) {
                throw new Refused("id_token has no '" + settings.consumerClaim() + "'");
            }
        }
        List<String> scopes = string(o, "scope").map(s -> List.of(s.split(" "))).orElse(List.of());
        return new Tokens(access, string(o, "refresh_token").or(() -> previousRefresh),
                System.currentTimeMillis() + expiresIn * 1000, idToken, subject, scopes);
    }

    /** The (unverified: see the class comment) claims of a JWT. */
    private static JsonObject claims(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            String json = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
            return jakarta.json.Json.createReader(new StringReader(json)).readObject();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Optional<String> string(JsonObject o, String key) {
        return o != null && o.get(key) instanceof JsonString s ? Optional.of(s.getString()) : Optional.empty();
    }

    static String form(Map<String, String> fields) {
        StringJoiner j = new StringJoiner("&");
        fields.forEach((k, v) -> j.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return j.toString();
    }

    static URI uri(String s) {
        return URI.create(s);
    }
}
