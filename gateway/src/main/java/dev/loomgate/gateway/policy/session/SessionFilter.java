package dev.loomgate.gateway.policy.session;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

import dev.loomgate.gateway.http.HttpTokens;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.pipeline.ConsumerIdentity;
import dev.loomgate.gateway.pipeline.Exchange;
import dev.loomgate.gateway.pipeline.Filter;
import dev.loomgate.gateway.pipeline.FilterChain;
import dev.loomgate.gateway.pipeline.ResponseHead;
import dev.loomgate.gateway.pipeline.SessionKey;
import dev.loomgate.gateway.redis.RedisSessionStore;
import dev.loomgate.gateway.redis.RedisSessionStore.Loaded;

/**
 * One route's {@code session} filter. Per request: verify the cookie, load and touch the session (one Redis script),
 * create one when there is none (or refuse: {@code required}), renew or rotate the id, run the OIDC login, logout and
 * token refresh, forward attributes and the access token, and on the way back apply the upstream's attribute writes
 * (field by field) and set the cookie. A bad cookie is "no session", never an error; Redis down is 503 or "no
 * session" per {@code on-redis-down}.
 */
final class SessionFilter implements Filter {
    private static final Logger LOG = Logger.getLogger(SessionFilter.class.getName());
    static final String SET = "Loomgate-Session-Set";
    static final String REMOVE = "Loomgate-Session-Remove";
    static final String ROTATE = "Loomgate-Session-Rotate";
    static final String END = "Loomgate-Session-End";
    private static final int MAX_VALUE_BYTES = 4096;

    private final SessionSettings settings;
    private final SessionKeyring keyring;
    private final SessionService service;
    private final Optional<OidcClient> oidc;
    private final String routeId;
    private final OidcFlow flow;
    /** {@code local-cache}: sessions this node read lately, served without Redis while fresh (off when 0). */
    private final long localCacheNanos;
    private final java.util.concurrent.ConcurrentHashMap<String, Cached> cache =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_CACHED = 10_000;

    private record Cached(Map<String, String> fields, long now, long issuedAt, long loadedNanos) {
    }

    SessionFilter(SessionSettings settings, SessionKeyring keyring, SessionService service, Optional<OidcClient> oidc,
                  String routeId) {
        this.settings = settings;
        this.keyring = keyring;
        this.service = service;
        this.oidc = oidc;
        this.routeId = routeId;
        this.flow = oidc.map(o -> new OidcFlow(o, service, settings)).orElse(null);
        this.localCacheNanos = settings.localCache().toNanos();
    }

    /** One request's session: its current id and attributes, and what changes on the way back. */
    static final class Current {
        String id;
        long now;
        long issuedAt;
        final Map<String, String> fields;
        boolean sendCookie;
        boolean ended;

        Current(String id, long now, long issuedAt, Map<String, String> fields) {
            this.id = id;
            this.now = now;
            this.issuedAt = issuedAt;
            this.fields = fields;
        }
    }

    @Override
    public void filter(Exchange exchange, FilterChain chain) {
        for (String header : settings.forwardAttributes().values()) {
            exchange.upstreamHeaders().remove(header); // a client never claims an attribute
        }
        if (flow != null) {
            exchange.upstreamHeaders().remove("Authorization"); // only the session's token goes upstream
        }
        Optional<RedisSessionStore> store = service.store();
        if (store.isEmpty()) {
            unavailable(exchange, chain, "no redis: block in gateway.yaml");
            return;
        }
        boolean proceed;
        try {
            proceed = prepare(exchange, store.get());
        } catch (RedisSessionStore.Unavailable e) {
            service.redisErrors.increment();
            unavailable(exchange, chain, e.getMessage());
            return;
        }
        if (proceed) {
            chain.proceed();
        }
    }

    /** @return whether to go on upstream (false: answered here) */
    private boolean prepare(Exchange exchange, RedisSessionStore store) {
        Current session = null;
        Optional<String> cookie = exchange.request().cookie(settings.cookie().name());
        if (cookie.isPresent()) {
            Optional<SessionKeyring.Verified> verified = keyring.verify(cookie.get());
            if (verified.isEmpty()) {
                service.cookieRejected.increment();
            } else {
                session = load(store, verified.get().sessionId());
                if (session != null && !verified.get().byPrimary()) {
                    session.sendCookie = true; // re-signed with the primary key: old keys can be dropped later
                }
            }
        }
        String path = exchange.request().path();
        if (flow != null && path.equals(flow.logoutPath())) {
            flow.logout(exchange, store, session, keyring);
            return false;
        }
        if (flow != null && path.equals(flow.callbackPath())) {
            flow.callback(exchange, store, session, keyring);
            return false;
        }
        if (session == null) {
            if (settings.required() && flow == null) {
                exchange.answer(new Problem(Problem.Type.UNAUTHORIZED, "this route needs a session"));
                return false;
            }
            if (settings.createOnWrite()) {
                exchange.onResponseHead(head -> createOnWrite(exchange, store, head));
                return true; // no session until the upstream writes one: cookieless traffic costs Redis nothing
            }
            session = create(store, Map.of());
        } else if (settings.rotate()) {
            rotate(store, session, Map.of(), List.of(), java.time.Duration.ZERO);
            service.rotatedExplicit.increment();
        } else if (session.now - session.issuedAt >= settings.timeouts().rolling().toMillis() / 2) {
            rotate(store, session, Map.of(), List.of(), settings.renewalGrace()); // renewal: a fresh id, same session
            service.rotatedRenewal.increment();
        }
        Current s = session;
        exchange.attribute(SessionKey.ID, s.id);
        // registered before any answer below: the cookie goes on a login redirect as on a relayed response
        exchange.onResponseHead(head -> onResponse(exchange, store, head, s));
        if (flow != null && !flow.loggedIn(exchange, store, s)) {
            return false; // answered: a redirect to the login, or 401/503
        }
        Optional.ofNullable(s.fields.get(OidcFlow.USER)).ifPresent(user -> {
            if (exchange.attribute(ConsumerIdentity.ATTRIBUTE).isEmpty()) {
                List<String> scopes = List.of(s.fields.getOrDefault(OidcFlow.SCOPES, "").split(" ")).stream()
                        .filter(x -> !x.isBlank()).toList();
                exchange.attribute(ConsumerIdentity.ATTRIBUTE, new ConsumerIdentity(user, scopes, "session",
                        oidc.map(o -> o.settings().issuer()).orElse("")));
            }
        });
        for (Map.Entry<String, String> e : settings.forwardAttributes().entrySet()) {
            String value = s.fields.get(e.getKey());
            if (value != null && HttpTokens.isValidHeaderValue(value)) {
                exchange.upstreamHeaders().set(e.getValue(), value);
            }
        }
        return true;
    }

    /** The live session of this id, following a renewal's redirect; null when there is none (counted). */
    private Current load(RedisSessionStore store, String id) {
        if (localCacheNanos > 0) {
            Cached c = cache.get(id);
            long age = c == null ? 0 : System.nanoTime() - c.loadedNanos();
            if (c != null && age < localCacheNanos) {
                return new Current(id, c.now() + age / 1_000_000, c.issuedAt(), new HashMap<>(c.fields()));
            }
        }
        Loaded loaded = store.load(id, settings.timeouts(), settings.clientCache());
        boolean moved = false;
        if (loaded instanceof Loaded.Moved m) {
            loaded = store.load(m.newId(), settings.timeouts(), settings.clientCache());
            moved = true;
        }
        return switch (loaded) {
            case Loaded.Found f -> {
                Current c = new Current(f.id(), f.now(), f.issuedAt(), new HashMap<>(f.fields()));
                c.sendCookie = moved;
                if (localCacheNanos > 0 && !moved) {
                    if (cache.size() >= MAX_CACHED) {
                        cache.clear(); // bounded; the next requests read Redis again
                    }
                    cache.put(id, new Cached(Map.copyOf(f.fields()), f.now(), f.issuedAt(), System.nanoTime()));
                }
                yield c;
            }
            case Loaded.Missing m -> {
                service.expired(m.reason());
                yield null;
            }
            case Loaded.Moved m -> null; // moved twice within the grace: treat as gone
        };
    }

    Current create(RedisSessionStore store, Map<String, String> fields) {
        for (int attempt = 0; attempt < 3; attempt++) {
            String id = SessionKeyring.newSessionId();
            long now = store.create(id, fields, settings.timeouts());
            if (now > 0) {
                service.created.increment();
                Current c = new Current(id, now, now, new HashMap<>(fields));
                c.sendCookie = true;
                return c;
            }
        }
        throw new IllegalStateException("three random 256-bit session ids collided"); // never: a broken RNG
    }

    /** Moves the session to a new id (old one invalid, or redirecting for {@code grace}). */
    void rotate(RedisSessionStore store, Current s, Map<String, String> extra, List<String> drop,
                java.time.Duration grace) {
        String newId = SessionKeyring.newSessionId();
        cache.remove(s.id);
        if (store.rotate(s.id, newId, extra, drop, grace, settings.timeouts())) {
            s.id = newId;
            s.issuedAt = s.now;
            s.fields.keySet().removeAll(drop);
            s.fields.putAll(extra);
        } else {
            Current fresh = create(store, extra); // it expired meanwhile: start over
            s.id = fresh.id;
            s.issuedAt = fresh.issuedAt;
            s.fields.clear();
            s.fields.putAll(extra);
        }
        s.sendCookie = true;
    }

    private void onResponse(Exchange exchange, RedisSessionStore store, ResponseHead head, Current s) {
        Optional<String> set = head.header(SET);
        Optional<String> remove = head.header(REMOVE);
        boolean rotate = head.header(ROTATE).isPresent();
        boolean end = head.header(END).isPresent();
        boolean changes = set.isPresent() || remove.isPresent() || rotate || end;
        if (changes) {
            for (String h : List.of(SET, REMOVE, ROTATE, END)) {
                head.headers().remove(h); // gateway-owned: never reach the client
            }
        }
        if (settings.upstreamControl() && head.fromUpstream() && changes) {
            cache.remove(s.id); // this node's copy is stale once the upstream changes the session
            try {
                if (end) {
                    store.delete(s.id);
                    s.ended = true;
                } else {
                    Map<String, String> sets = set.map(SessionFilter::parseSets).orElse(Map.of());
                    List<String> removes = remove.map(SessionFilter::parseRemoves).orElse(List.of());
                    if (!sets.isEmpty() || !removes.isEmpty()) {
                        RedisSessionStore.WriteResult r = store.write(s.id, sets, removes, settings.maxAttributes(),
                                settings.timeouts());
                        if (r != RedisSessionStore.WriteResult.OK) {
                            LOG.fine(() -> "route '" + routeId + "': session write " + r);
                        }
                    }
                    if (rotate) {
                        rotate(store, s, Map.of(), List.of(), java.time.Duration.ZERO);
                        service.rotatedExplicit.increment();
                    }
                }
            } catch (RedisSessionStore.Unavailable e) {
                service.redisErrors.increment();
                LOG.warning(() -> "route '" + routeId + "' (request " + exchange.requestId()
                        + "): session write not stored, Redis did not answer: " + e.getMessage());
            }
        }
        setCookie(exchange, head, s);
    }

    /** {@code create: on-write}: the first attribute the upstream sets creates the session (and its cookie). */
    private void createOnWrite(Exchange exchange, RedisSessionStore store, ResponseHead head) {
        Optional<String> set = head.header(SET);
        for (String h : List.of(SET, REMOVE, ROTATE, END)) {
            head.headers().remove(h);
        }
        Map<String, String> sets = set.filter(x -> head.fromUpstream()).map(SessionFilter::parseSets).orElse(Map.of());
        if (sets.isEmpty() || sets.size() > settings.maxAttributes()) {
            return;
        }
        try {
            setCookie(exchange, head, create(store, sets));
        } catch (RedisSessionStore.Unavailable e) {
            service.redisErrors.increment();
            LOG.warning(() -> "route '" + routeId + "': new session not stored, Redis did not answer: " + e.getMessage());
        }
    }

    void setCookie(Exchange exchange, ResponseHead head, Current s) {
        boolean tls = exchange.request().secure();
        if (s.ended) {
            head.headers().add("Set-Cookie", settings.cookie().clearing(tls));
        } else if (s.sendCookie) {
            head.headers().add("Set-Cookie", settings.cookie().header(keyring.sign(s.id), tls, -1));
            head.headers().set("Cache-Control", "no-store"); // a response carrying a session cookie is private
        }
    }

    /** {@code a=1&b=x%20y}: attribute names checked, values URL-decoded and bounded. */
    static Map<String, String> parseSets(String header) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : header.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String name = decode(pair.substring(0, eq));
            String value = decode(pair.substring(eq + 1));
            if (name != null && value != null && SessionFilterFactory.validAttribute(name)
                    && value.getBytes(StandardCharsets.UTF_8).length <= MAX_VALUE_BYTES) {
                out.put(name, value);
            }
        }
        return out;
    }

    static List<String> parseRemoves(String header) {
        List<String> out = new ArrayList<>();
        for (String name : header.split("[ ,&]+")) {
            if (SessionFilterFactory.validAttribute(name)) {
                out.add(name);
            }
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void unavailable(Exchange exchange, FilterChain chain, String why) {
        if (settings.failClosed()) {
            exchange.onResponseHead(head -> head.headers().set("Retry-After", "1"));
            exchange.answer(new Problem(Problem.Type.SESSION_STORE_UNAVAILABLE, "the session store is unavailable"));
            LOG.fine(() -> "route '" + routeId + "': session store unavailable: " + why);
            return;
        }
        chain.proceed(); // on-redis-down: continue, the request goes on without a session
    }

    static boolean sameSecret(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
