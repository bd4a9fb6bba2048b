package dev.loomgate.gateway.policy.session;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The session cookie's attributes. Always HttpOnly; Secure when the request came over TLS ({@code secure: auto},
 * the default) or always ({@code secure: always}); SameSite Lax unless configured.
 */
public record CookieSettings(String name, String path, Optional<String> domain, Secure secure, String sameSite) {
    public enum Secure { AUTO, ALWAYS }

    public CookieSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(secure, "secure");
        Objects.requireNonNull(sameSite, "sameSite");
    }

    public static CookieSettings defaults() {
        return new CookieSettings("lg_session", "/", Optional.empty(), Secure.AUTO, "Lax");
    }

    /** The Set-Cookie value carrying {@code value}; {@code maxAgeSeconds} < 0 for a browser-session cookie. */
    String header(String value, boolean tls, long maxAgeSeconds) {
        StringBuilder sb = new StringBuilder(name).append('=').append(value).append("; Path=").append(path);
        domain.ifPresent(d -> sb.append("; Domain=").append(d));
        if (maxAgeSeconds >= 0) {
            sb.append("; Max-Age=").append(maxAgeSeconds);
        }
        sb.append("; HttpOnly");
        // SameSite=None is only honoured by browsers together with Secure
        if (secure == Secure.ALWAYS || tls || sameSite.toLowerCase(Locale.ROOT).equals("none")) {
            sb.append("; Secure");
        }
        sb.append("; SameSite=").append(sameSite);
        return sb.toString();
    }

    /** A Set-Cookie that removes the cookie. */
    String clearing(boolean tls) {
        return header("", tls, 0);
    }
}
