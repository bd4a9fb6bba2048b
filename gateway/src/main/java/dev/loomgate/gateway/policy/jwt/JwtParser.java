package dev.loomgate.gateway.policy.jwt;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.loomgate.gateway.policy.auth.AuthOptions;
import dev.loomgate.gateway.policy.auth.CredentialSource;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/** Reads a {@code jwt:} block; every error names the offending value's line and field. */
final class JwtParser {
    private static final Set<String> KEYS = keys(List.of("issuers", "clock-skew", "required-claims", "claims",
            "max-token-size", "verified-cache-size", "verified-cache-ttl"), AuthOptions.KEYS);
    private static final Set<String> ISSUER_KEYS = new LinkedHashSet<>(List.of("issuer", "algorithms", "audiences",
            "jwks-url", "jwks-file", "jwks-timeout", "jwks-cache-ttl", "jwks-refresh-ahead",
            "jwks-min-refetch-interval", "jwks-outage-tolerance", "jwks-max-size"));
    /**
     * Asymmetric algorithms only: an HMAC secret shared with the gateway could mint tokens as well as check them,
     * and "HS256 signed with the RSA public key" is the classic confusion attack; {@code none} is never a choice.
     * EdDSA means Ed25519 keys (OKP, crv Ed25519; verified with Google Tink through nimbus, see EdDsaKeys).
     */
    static final Set<JWSAlgorithm> ACCEPTABLE = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384,
            JWSAlgorithm.ES512, JWSAlgorithm.EdDSA);
    private static final Set<String> ALWAYS_CHECKED = Set.of("iss", "exp", "nbf", "aud");

    private JwtParser() {
    }

    private static Set<String> keys(List<String> own, List<String> common) {
        Set<String> s = new LinkedHashSet<>(own);
        s.addAll(common);
        return s;
    }

    static JwtSettings parse(YamlValue node) throws ConfigException {
        if (!node.isMapping()) {
            throw node.error("expected a jwt mapping (issuers, ...) or 'off'");
        }
        YamlValue.Fields f = node.fields(KEYS);
        YamlValue issuersNode = f.required("issuers");
        List<IssuerSettings> issuers = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (YamlValue entry : issuersNode.sequence()) {
            IssuerSettings issuer = issuer(entry);
            if (!seen.add(issuer.issuer())) {
                throw entry.error("issuer '" + issuer.issuer() + "' is listed twice");
            }
            issuers.add(issuer);
        }
        if (issuers.isEmpty()) {
            throw issuersNode.error("must list at least one issuer");
        }
        Duration skew = f.has("clock-skew") ? f.required("clock-skew").duration() : JwtSettings.DEFAULT_CLOCK_SKEW;
        if (skew.compareTo(Duration.ofMinutes(5)) > 0) {
            throw f.required("clock-skew").error("must be at most 5m (a larger skew extends every token's life)");
        }
        List<String> required = new ArrayList<>();
        if (f.has("required-claims")) {
            for (YamlValue c : f.required("required-claims").sequence()) {
                required.add(c.nonBlankString().strip());
            }
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (f.has("claims")) {
            for (Map.Entry<String, YamlValue> e : f.required("claims").mapping().entrySet()) {
                if (ALWAYS_CHECKED.contains(e.getKey())) {
                    throw e.getValue().error("'" + e.getKey() + "' is checked by the issuer settings, not here");
                }
                values.put(e.getKey(), claimValues(e.getValue()));
            }
        }
        int maxSize = f.has("max-token-size")
                ? (int) f.required("max-token-size").sizeIn(512, 64 * 1024) : JwtSettings.DEFAULT_MAX_TOKEN_SIZE;
        AuthOptions options = AuthOptions.parse(f, new CredentialSource.Bearer(), false);
        int cacheSize = f.has("verified-cache-size") ? f.required("verified-cache-size").intIn(0, 1_000_000)
                : JwtSettings.DEFAULT_VERIFIED_CACHE_SIZE;
        // the upper bound is how long tokens of a signing key the issuer withdrew may still pass
        Duration cacheTtl = f.duration("verified-cache-ttl", JwtSettings.DEFAULT_VERIFIED_CACHE_TTL,
                Duration.ofSeconds(1), Duration.ofHours(1));
        return new JwtSettings(issuers, skew, required, values, maxSize, options, cacheSize, cacheTtl);
    }

    private static List<String> claimValues(YamlValue v) throws ConfigException {
        List<String> out = new ArrayList<>();
        if (v.isSequence()) {
            for (YamlValue item : v.sequence()) {
                out.add(item.nonBlankString().strip());
            }
        } else {
            out.add(v.nonBlankString().strip());
        }
        if (out.isEmpty()) {
            throw v.error("must name at least one value");
        }
        return out;
    }

    private static IssuerSettings issuer(YamlValue node) throws ConfigException {
        if (!node.isMapping()) {
            throw node.error("expected an issuer mapping (issuer, algorithms, jwks-url or jwks-file, ...)");
        }
        YamlValue.Fields f = node.fields(ISSUER_KEYS);
        String iss = f.required("issuer").nonBlankString().strip();
        YamlValue algsNode = f.required("algorithms");
        Set<JWSAlgorithm> algs = new LinkedHashSet<>();
        for (YamlValue a : algsNode.sequence()) {
            algs.add(algorithm(a));
        }
        if (algs.isEmpty()) {
            throw algsNode.error("must pin at least one algorithm, e.g. [RS256]");
        }
        List<String> audiences = new ArrayList<>();
        if (f.has("audiences")) {
            for (YamlValue a : f.required("audiences").sequence()) {
                audiences.add(a.nonBlankString().strip());
            }
        }
        boolean url = f.has("jwks-url");
        boolean file = f.has("jwks-file");
        if (url == file) {
            throw node.error("give exactly one of jwks-url (keys fetched and cached) or jwks-file (static keys)");
        }
        if (file) {
            for (String k : List.of("jwks-timeout", "jwks-cache-ttl", "jwks-refresh-ahead", "jwks-min-refetch-interval",
                    "jwks-outage-tolerance", "jwks-max-size")) {
                if (f.has(k)) {
                    throw f.required(k).error("only applies to jwks-url");
                }
            }
            YamlValue fileNode = f.required("jwks-file");
            JWKSet keys = staticKeys(fileNode);
            return new IssuerSettings(iss, algs, audiences, Optional.empty(), Optional.of(keys));
        }
        return new IssuerSettings(iss, algs, audiences, Optional.of(jwks(f)), Optional.empty());
    }

    private static JWSAlgorithm algorithm(YamlValue a) throws ConfigException {
        String name = a.nonBlankString().strip();
        if (name.equalsIgnoreCase("none")) {
            throw a.error("'none' means unsigned tokens; it is never accepted");
        }
        JWSAlgorithm alg = JWSAlgorithm.parse(name);
        if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
            throw a.error("'" + name + "' is a shared-secret algorithm; only asymmetric ones are accepted "
                    + "(RS*, PS*, ES*, EdDSA), so the gateway holds no key that can mint tokens");
        }
        if (!ACCEPTABLE.contains(alg)) {
            throw a.error("unknown algorithm '" + name + "' (expected one of RS256, RS384, RS512, PS256, PS384, "
                    + "PS512, ES256, ES384, ES512, EdDSA)");
        }
        return alg;
    }

    private static JwksSettings jwks(YamlValue.Fields f) throws ConfigException {
        YamlValue urlNode = f.required("jwks-url");
        URI url;
        try {
            url = new URI(urlNode.nonBlankString().strip());
        } catch (URISyntaxException e) {
            throw urlNode.error("not a URL: " + e.getMessage());
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
            throw urlNode.error("must be an http:// or https:// URL with a host");
        }
        Duration timeout = f.duration("jwks-timeout", JwksSettings.DEFAULT_TIMEOUT, Duration.ofMillis(50),
                Duration.ofSeconds(30));
        Duration ttl = f.duration("jwks-cache-ttl", JwksSettings.DEFAULT_CACHE_TTL, Duration.ofSeconds(1),
                Duration.ofDays(1));
        Duration ahead = f.duration("jwks-refresh-ahead", JwksSettings.DEFAULT_REFRESH_AHEAD, Duration.ZERO,
                Duration.ofHours(1));
        Duration minRefetch = f.duration("jwks-min-refetch-interval", JwksSettings.DEFAULT_MIN_REFETCH,
                Duration.ofMillis(100), Duration.ofHours(1));
        Duration outage = f.duration("jwks-outage-tolerance", JwksSettings.DEFAULT_OUTAGE_TOLERANCE, Duration.ZERO,
                Duration.ofDays(7));
        int maxSize = f.has("jwks-max-size") ? (int) f.required("jwks-max-size").sizeIn(1024, 4 * 1024 * 1024)
                : JwksSettings.DEFAULT_MAX_SIZE;
        // the key cache needs room for a refresh before the keys expire, and refetches must be rarer than expiry
        if (ahead.plus(timeout).compareTo(ttl) >= 0) {
            throw (f.has("jwks-cache-ttl") ? f.required("jwks-cache-ttl") : f.owner()).error("jwks-cache-ttl ("
                    + ttl.toMillis() + " ms) must exceed jwks-refresh-ahead + jwks-timeout (" + ahead.plus(timeout)
                    .toMillis() + " ms)");
        }
        if (minRefetch.compareTo(ttl) >= 0) {
            throw (f.has("jwks-min-refetch-interval") ? f.required("jwks-min-refetch-interval") : f.owner())
                    .error("must be shorter than jwks-cache-ttl (" + ttl.toMillis() + " ms)");
        }
        return new JwksSettings(url, timeout, ttl, ahead, minRefetch, outage, maxSize);
    }

    private static JWKSet staticKeys(YamlValue node) throws ConfigException {
        Path path = Path.of(node.nonBlankString().strip());
        JWKSet set;
        try {
            if (Files.size(path) > 4L * 1024 * 1024) {
                throw node.error("'" + path + "' is larger than 4 MiB");
            }
            set = JWKSet.load(path.toFile());
        } catch (IOException e) {
            throw node.error("cannot read '" + path + "': " + e.getMessage());
        } catch (ParseException e) {
            throw node.error("'" + path + "' is not a JWK set: " + e.getMessage());
        }
        for (JWK key : set.getKeys()) {
            if (key.isPrivate()) {
                throw node.error("'" + path + "' holds a private key (" + Optional.ofNullable(key.getKeyID())
                        .orElse("no kid") + "); give the public keys only");
            }
        }
        if (set.getKeys().isEmpty()) {
            throw node.error("'" + path + "' holds no keys");
        }
        return set.toPublicJWKSet();
    }
}
