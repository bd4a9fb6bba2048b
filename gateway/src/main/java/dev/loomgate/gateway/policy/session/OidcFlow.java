package dev.loomgate.gateway.policy.session;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.pipeline.Exchange;
import dev.loomgate.gateway.redis.RedisSessionStore;

/**
 * The backend-for-frontend login on a session route: unauthenticated page requests are sent to the provider
 * (authorization code + PKCE, state and verifier kept in the session), the callback exchanges the code and rotates
 * the session id (a privilege change), later requests carry the access token upstream and refresh it before it
 * expires, and the logout path deletes the session (in Redis, so on every node) and optionally ends the provider's.
 * Tokens never leave the gateway: the browser only has the session cookie.
 */
final class OidcFlow {
    private static final Logger LOG = Logger.getLogger(OidcFlow.class.getName());
    static final String USER = "_user";
    static final String SCOPES = "_scopes";
    static final String ACCESS = "_oidc.at";
    static final String REFRESH = "_oidc.rt";
    static final String EXPIRES = "_oidc.exp";
    static final String ID_TOKEN = "_oidc.idt";
    static final String STATE = "_oidc.state";
    static final String VERIFIER = "_oidc.verifier";
    static final String RETURN = "_oidc.return";
    private static final List<String> LOGIN_FIELDS = List.of(STATE, VERIFIER, RETURN);

    private final OidcClient client;
    private final SessionService service;
    private final SessionSettings settings;

    OidcFlow(OidcClient client, SessionService service, SessionSettings settings) {
        this.client = client;
        this.service = service;
        this.settings = settings;
    }

    String logoutPath() {
        return client.settings().logoutPath();
    }

    String callbackPath() {
        return client.settings().callbackPath();
    }

    /**
     * For a request of a live session: true when it is logged in and carries a fresh access token upstream; else
     * answers (a redirect to the provider for page loads, 401 for other requests, 503 when the provider is down).
     */
    boolean loggedIn(Exchange exchange, RedisSessionStore store, SessionFilter.Current s) {
        String access = s.fields.get(ACCESS);
        if (s.fields.containsKey(USER) && access != null) {
            long expires = parseLong(s.fields.get(EXPIRES));
            long now = System.currentTimeMillis();
            if (expires - now <= client.settings().refreshBefore().toMillis()) {
                Optional<String> refreshed = refresh(exchange, store, s, expires > now);
                if (refreshed.isEmpty()) {
                    return false;
                }
                access = refreshed.get();
            }
            exchange.upstreamHeaders().set("Authorization", "Bearer " + access);
            return true;
        }
        startLogin(exchange, store, s);
        return false;
    }

    private Optional<String> refresh(Exchange exchange, RedisSessionStore store, SessionFilter.Current s,
                                     boolean stillValid) {
        String rt = s.fields.get(REFRESH);
        if (rt == null) {
            return stillValid ? Optional.of(s.fields.get(ACCESS)) : loggedOut(exchange, store, s);
        }
        try {
            OidcClient.Tokens t = client.refresh(rt);
            Map<String, String> set = tokenFields(t);
            store.write(s.id, set, List.of(), settings.maxAttributes(), settings.timeouts());
            s.fields.putAll(set);
            service.refreshes.increment();
            return Optional.of(t.accessToken());
        } catch (OidcClient.Refused e) {
            service.refreshFailures.increment();
            LOG.info(() -> "session refresh refused (" + e.getMessage() + "): the user logs in again");
            return loggedOut(exchange, store, s);
        } catch (OidcClient.Unreachable e) {
            service.refreshFailures.increment();
            if (stillValid) {
                return Optional.of(s.fields.get(ACCESS)); // try again on the next request
            }
            exchange.answer(new Problem(Problem.Type.IDENTITY_PROVIDER_UNAVAILABLE,
                    "the access token expired and the identity provider cannot refresh it"));
            return Optional.empty();
        }
    }

    private Optional<String> loggedOut(Exchange exchange, RedisSessionStore store, SessionFilter.Current s) {
        List<String> drop = List.of(USER, SCOPES, ACCESS, REFRESH, EXPIRES, ID_TOKEN);
        store.write(s.id, Map.of(), drop, settings.maxAttributes(), settings.timeouts());
        s.fields.keySet().removeAll(drop);
        startLogin(exchange, store, s);
        return Optional.empty();
    }

    private void startLogin(Exchange exchange, RedisSessionStore store, SessionFilter.Current s) {
        String method = exchange.request().method();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.answer(new Problem(Problem.Type.UNAUTHORIZED, "log in first (a page load starts the login)"));
            return;
        }
        String state = SessionKeyring.newSessionId();
        String verifier = SessionKeyring.newSessionId();
        String query = exchange.request().rawQuery();
        String back = exchange.request().path() + (query.isEmpty() ? "" : "?" + query);
        Map<String, String> set = new LinkedHashMap<>();
        set.put(STATE, state);
        set.put(VERIFIER, verifier);
        set.put(RETURN, back.length() > 2048 ? "/" : back);
        store.write(s.id, set, List.of(), settings.maxAttributes(), settings.timeouts());
        redirect(exchange, client.authorizationUrl(state, verifier, SessionKeyring.newSessionId()));
    }

    /** The provider sent the browser back: check state, exchange the code, rotate the id, go where it started. */
    void callback(Exchange exchange, RedisSessionStore store, SessionFilter.Current s, SessionKeyring keyring) {
        Optional<String> state = exchange.request().queryParam("state");
        Optional<String> code = exchange.request().queryParam("code");
        if (s == null || state.isEmpty() || code.isEmpty() || !s.fields.containsKey(STATE)
                || !SessionFilter.sameSecret(state.get(), s.fields.get(STATE))) {
            service.loginFailures.increment();
            exchange.answer(new Problem(Problem.Type.UNAUTHORIZED, "login callback without a matching login"));
            return;
        }
        OidcClient.Tokens t;
        try {
            t = client.exchangeCode(code.get(), s.fields.getOrDefault(VERIFIER, ""));
        } catch (OidcClient.Refused e) {
            service.loginFailures.increment();
            LOG.info(() -> "login refused at the token endpoint: " + e.getMessage());
            exchange.answer(new Problem(Problem.Type.UNAUTHORIZED, "the login was not accepted"));
            return;
        } catch (OidcClient.Unreachable e) {
            service.loginFailures.increment();
            exchange.answer(new Problem(Problem.Type.IDENTITY_PROVIDER_UNAVAILABLE, "the identity provider is unreachable"));
            return;
        }
        String back = s.fields.getOrDefault(RETURN, "/");
        Map<String, String> extra = tokenFields(t);
        extra.put(USER, t.subject().orElseThrow());
        extra.put(SCOPES, String.join(" ", t.scopes()));
        new Rotation(settings, service, store).login(s, extra, LOGIN_FIELDS);
        service.logins.increment();
        exchange.attribute(dev.loomgate.gateway.pipeline.SessionKey.ID, s.id);
        boolean tls = exchange.request().secure();
        String cookie = settings.cookie().header(keyring.sign(s.id), tls, -1);
        exchange.onResponseHead(head -> head.headers().add("Set-Cookie", cookie));
        redirect(exchange, back.startsWith("/") && !back.startsWith("//") ? back : "/");
    }

    /** Deletes the session everywhere, clears the cookie, and ends the provider's session when it can. */
    void logout(Exchange exchange, RedisSessionStore store, SessionFilter.Current s, SessionKeyring keyring) {
        Optional<String> idToken = Optional.empty();
        if (s != null) {
            idToken = Optional.ofNullable(s.fields.get(ID_TOKEN));
            store.delete(s.id);
            service.logouts.increment();
        }
        boolean tls = exchange.request().secure();
        String clearing = settings.cookie().clearing(tls);
        exchange.onResponseHead(head -> head.headers().add("Set-Cookie", clearing));
        Optional<String> target = client.endSessionUrl(idToken)
                .or(() -> client.settings().postLogoutRedirect().map(Object::toString));
        if (target.isPresent()) {
            redirect(exchange, target.get());
        } else {
            exchange.response().status(204);
            exchange.response().headers().set("Cache-Control", "no-store");
            exchange.response().send();
        }
    }

    private static Map<String, String> tokenFields(OidcClient.Tokens t) {
        Map<String, String> set = new LinkedHashMap<>();
        set.put(ACCESS, t.accessToken());
        set.put(EXPIRES, Long.toString(t.expiresAtMillis()));
        t.refreshToken().ifPresent(r -> set.put(REFRESH, r));
        t.idToken().ifPresent(i -> set.put(ID_TOKEN, i));
        return set;
    }

    private static void redirect(Exchange exchange, String location) {
        exchange.response().status(302);
        exchange.response().headers().set("Location", location);
        exchange.response().headers().set("Cache-Control", "no-store");
        exchange.response().contentLength(0);
        exchange.response().send();
    }

    private static long parseLong(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The login's rotation: a privilege change, so the pre-login id stops working at once. */
    private record Rotation(SessionSettings settings, SessionService service, RedisSessionStore store) {
        void login(SessionFilter.Current s, Map<String, String> extra, List<String> drop) {
            String newId = SessionKeyring.newSessionId();
            if (!store.rotate(s.id, newId, extra, drop, Duration.ZERO, settings.timeouts())) {
                throw new RedisSessionStore.Unavailable("the session ended during the login", null);
            }
            s.id = newId;
            s.fields.keySet().removeAll(drop);
            s.fields.putAll(extra);
            service.rotatedLogin.increment();
        }
    }
}
