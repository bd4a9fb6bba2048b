package dev.loomgate.gateway.policy.session;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.http.HttpTokens;
import dev.loomgate.gateway.pipeline.Filter;
import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.FilterFactory;
import dev.loomgate.gateway.pipeline.ParseContext;
import dev.loomgate.gateway.pipeline.Phase;
import dev.loomgate.gateway.policy.auth.SecretRef;
import dev.loomgate.gateway.redis.RedisSessionStore;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * {@code session:} server-side sessions in Redis behind a signed, opaque cookie; optionally an OIDC login whose tokens
 * stay in the session (docs/SESSIONS.md).
 */
public final class SessionFilterFactory implements FilterFactory<SessionSettings> {
    public static final String KEY = "session";
    private static final Set<String> KEYS = Set.of("cookie", "keys", "idle-timeout", "rolling-timeout",
            "absolute-timeout", "renewal-grace", "required", "on-redis-down", "forward-attributes", "upstream-control",
            "action", "max-attributes", "local-cache", "client-cache", "create", "oidc");
    private static final Set<String> COOKIE_KEYS = Set.of("name", "path", "domain", "secure", "same-site");
    private static final Set<String> KEY_KEYS = Set.of("id", "secret-file", "secret-env");
    private static final Set<String> OIDC_KEYS = Set.of("issuer", "authorization-endpoint", "token-endpoint",
            "end-session-endpoint", "client-id", "client-secret-file", "client-secret-env", "redirect-uri",
            "logout-path", "post-logout-redirect-uri", "scopes", "refresh-before", "consumer-claim");
    private static final Duration DAY = Duration.ofDays(1);

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public Phase phase() {
        return Phase.SESSION;
    }

    @Override
    public SessionSettings parse(YamlValue node, ParseContext context) throws ConfigException {
        if (!node.isMapping()) {
            throw node.error("expected a session mapping (keys, cookie, idle-timeout, ...) or 'off'");
        }
        YamlValue.Fields f = node.fields(KEYS);
        CookieSettings cookie = f.has("cookie") ? cookie(f.required("cookie")) : CookieSettings.defaults();
        List<SessionSettings.KeyRef> keys = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        YamlValue keysNode = f.required("keys");
        for (YamlValue k : keysNode.sequence()) {
            YamlValue.Fields kf = k.fields(KEY_KEYS);
            YamlValue idNode = kf.required("id");
            String id = idNode.nonBlankString().strip();
            if (!id.matches("[A-Za-z0-9_-]{1,32}")) {
                throw idNode.error("a key id is 1-32 of A-Z a-z 0-9 _ -, got '" + id + "'");
            }
            if (!ids.add(id)) {
                throw idNode.error("key id '" + id + "' is listed twice");
            }
            keys.add(new SessionSettings.KeyRef(id, SecretRef.parse(kf, "secret")));
        }
        if (keys.isEmpty()) {
            throw keysNode.error("needs at least one key (the first signs, the others are still accepted)");
        }
        Duration idle = f.duration("idle-timeout", Duration.ofMinutes(30), Duration.ofSeconds(1), DAY.multipliedBy(30));
        Duration rolling = f.duration("rolling-timeout", Duration.ofHours(8), Duration.ofSeconds(1), DAY.multipliedBy(30));
        Duration absolute = f.duration("absolute-timeout", DAY, Duration.ofSeconds(1), DAY.multipliedBy(365));
        if (rolling.compareTo(absolute) > 0) {
            throw f.required("rolling-timeout").error("must not exceed absolute-timeout (" + absolute + ")");
        }
        Duration grace = f.duration("renewal-grace", Duration.ofSeconds(10), Duration.ZERO, Duration.ofMinutes(5));
        boolean required = f.has("required") && f.required("required").bool();
        boolean failClosed = required;
        if (f.has("on-redis-down")) {
            YamlValue v = f.required("on-redis-down");
            failClosed = switch (v.nonBlankString().strip()) {
                case "fail-closed" -> true;
                case "continue" -> false;
                default -> throw v.error("expected fail-closed (503) or continue (no session for the request)");
            };
        }
        Map<String, String> forward = new LinkedHashMap<>();
        if (f.has("forward-attributes")) {
            Set<String> headers = new LinkedHashSet<>();
            for (Map.Entry<String, YamlValue> e : f.required("forward-attributes").mapping().entrySet()) {
                // _user and _scopes: the logged-in user, for upstreams that want it as a header
                if (!validAttribute(e.getKey()) && !e.getKey().equals("_user") && !e.getKey().equals("_scopes")) {
                    throw e.getValue().error("'" + e.getKey() + "' is not an attribute name (A-Z a-z 0-9 . _ -, not"
                            + " starting with _; or _user, _scopes)");
                }
                String header = e.getValue().nonBlankString().strip();
                if (!HttpTokens.isToken(header) || HttpTokens.isProtectedHeader(header)
                        || header.equalsIgnoreCase("Authorization") || header.equalsIgnoreCase("Cookie")
                        || !headers.add(header.toLowerCase(Locale.ROOT))) {
                    throw e.getValue().error("'" + header + "' cannot carry an attribute (not a header name, used"
                            + " twice, or a header the gateway owns)");
                }
                forward.put(e.getKey(), header);
            }
        }
        boolean control = f.has("upstream-control") && f.required("upstream-control").bool();
        boolean rotate = false;
        if (f.has("action")) {
            YamlValue a = f.required("action");
            if (!a.nonBlankString().strip().equals("rotate")) {
                throw a.error("expected 'rotate' (the route rotates the session id on each request)");
            }
            rotate = true;
        }
        int maxAttributes = f.has("max-attributes") ? f.required("max-attributes").intIn(1, 1000) : 64;
        Optional<OidcSettings> oidc = f.has("oidc") ? Optional.of(oidc(f.required("oidc"))) : Optional.empty();
        Duration localCache = f.duration("local-cache", Duration.ZERO, Duration.ZERO, Duration.ofSeconds(5));
        boolean clientCache = !f.has("client-cache") || f.required("client-cache").bool();
        boolean createOnWrite = false;
        if (f.has("create")) {
            YamlValue c = f.required("create");
            createOnWrite = switch (c.nonBlankString().strip()) {
                case "always" -> false;
                case "on-write" -> true;
                default -> throw c.error("expected always (every request without one) or on-write (when the upstream"
                        + " first sets an attribute)");
            };
            if (createOnWrite && (!control || required || oidc.isPresent())) {
                throw c.error("on-write needs upstream-control: true and neither required nor oidc");
            }
        }
        if (!localCache.isZero() && oidc.isPresent()) {
            throw f.required("local-cache").error("cannot be used with oidc (tokens and logins must be read from Redis)");
        }
        return new SessionSettings(cookie, keys, new RedisSessionStore.Timeouts(idle, rolling, absolute), grace,
                required || oidc.isPresent(), failClosed || (oidc.isPresent() && !f.has("on-redis-down")), forward,
                control, rotate, maxAttributes, localCache, clientCache, createOnWrite, oidc);
    }

    static boolean validAttribute(String name) {
        return name.matches("[A-Za-z0-9.-][A-Za-z0-9._-]{0,63}");
    }

    private static CookieSettings cookie(YamlValue node) throws ConfigException {
        YamlValue.Fields f = node.fields(COOKIE_KEYS);
        CookieSettings d = CookieSettings.defaults();
        String name = d.name();
        if (f.has("name")) {
            name = f.required("name").nonBlankString().strip();
            if (!HttpTokens.isToken(name)) {
                throw f.required("name").error("'" + name + "' is not a cookie name");
            }
        }
        String path = f.has("path") ? f.required("path").nonBlankString().strip() : d.path();
        if (!path.startsWith("/") || !path.matches("[\\x21-\\x7e&&[^;,]]+")) {
            throw f.required("path").error("must start with / and hold no ; , or spaces");
        }
        Optional<String> domain = Optional.empty();
        if (f.has("domain")) {
            String dom = f.required("domain").nonBlankString().strip();
            if (!dom.matches("[A-Za-z0-9.-]+")) {
                throw f.required("domain").error("'" + dom + "' is not a domain");
            }
            domain = Optional.of(dom);
        }
        CookieSettings.Secure secure = d.secure();
        if (f.has("secure")) {
            YamlValue s = f.required("secure");
            secure = switch (s.nonBlankString().strip()) {
                case "auto" -> CookieSettings.Secure.AUTO;
                case "always" -> CookieSettings.Secure.ALWAYS;
                default -> throw s.error("expected auto (when the request came over TLS) or always");
            };
        }
        String sameSite = d.sameSite();
        if (f.has("same-site")) {
            YamlValue s = f.required("same-site");
            sameSite = switch (s.nonBlankString().strip().toLowerCase(Locale.ROOT)) {
                case "lax" -> "Lax";
                case "strict" -> "Strict";
                case "none" -> "None";
                default -> throw s.error("expected lax, strict or none");
            };
        }
        return new CookieSettings(name, path, domain, secure, sameSite);
    }

    private static OidcSettings oidc(YamlValue node) throws ConfigException {
        YamlValue.Fields f = node.fields(OIDC_KEYS);
        Optional<SecretRef> secret = f.has("client-secret-file") || f.has("client-secret-env")
                ? Optional.of(SecretRef.parse(f, "client-secret")) : Optional.empty();
        List<String> scopes = new ArrayList<>(List.of("openid"));
        if (f.has("scopes")) {
            for (YamlValue s : f.required("scopes").sequence()) {
                String scope = s.nonBlankString().strip();
                if (!scope.matches("[\\x21\\x23-\\x5b\\x5d-\\x7e]+")) {
                    throw s.error("'" + scope + "' is not a scope");
                }
                if (!scopes.contains(scope)) {
                    scopes.add(scope);
                }
            }
        }
        YamlValue logout = f.optional("logout-path").orElse(null);
        String logoutPath = logout == null ? "/logout" : logout.nonBlankString().strip();
        if (!logoutPath.startsWith("/")) {
            throw logout.error("must be a path starting with /");
        }
        return new OidcSettings(f.required("issuer").nonBlankString().strip(), url(f, "authorization-endpoint").get(),
                url(f, "token-endpoint").get(), url(f, "end-session-endpoint"),
                f.required("client-id").nonBlankString().strip(), secret, url(f, "redirect-uri").get(), logoutPath,
                url(f, "post-logout-redirect-uri"), scopes,
                f.duration("refresh-before", Duration.ofSeconds(30), Duration.ZERO, Duration.ofHours(1)),
                f.has("consumer-claim") ? f.required("consumer-claim").nonBlankString().strip() : "sub");
    }

    /** An absolute http(s) URL at {@code key}; {@code Optional.get()} on a required one fails with "is required". */
    private static Optional<URI> url(YamlValue.Fields f, String key) throws ConfigException {
        if (!f.has(key)) {
            if (key.equals("end-session-endpoint") || key.equals("post-logout-redirect-uri")) {
                return Optional.empty();
            }
            f.required(key);
        }
        YamlValue v = f.required(key);
        try {
            URI u = new URI(v.nonBlankString().strip());
            if (!("https".equals(u.getScheme()) || "http".equals(u.getScheme())) || u.getHost() == null
                    || u.getRawFragment() != null) {
                throw v.error("must be an absolute http(s) URL without a fragment");
            }
            return Optional.of(u);
        } catch (java.net.URISyntaxException e) {
            throw v.error("not a URL: " + e.getReason());
        }
    }

    @Override
    public Filter create(SessionSettings settings, FilterContext context) {
        SessionKeyring keyring = settings.resolveKeyring(System.getenv()); // no secret: this routes version is refused
        SessionService service = context.requireService(SessionService.class, "the session filter");
        Optional<OidcClient> oidc = settings.oidc().map(o -> new OidcClient(o, o.clientSecret()
                .map(s -> s.resolve(System.getenv(), 1))));
        return new SessionFilter(settings, keyring, service, oidc, context.routeId());
    }
}
