package dev.loomgate.gateway.policy.auth;

import java.util.Objects;

import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.pipeline.Exchange;

/**
 * A refusal by an authentication filter: a problem+json answer with the RFC 6750 {@code WWW-Authenticate}
 * challenge. The detail is what the client may know (e.g. "token expired"); it never echoes the credential.
 *
 * @param problem     the answer (401 {@code invalid-token}, 403 {@code insufficient-scope}, 503 when the identity
 *                    provider cannot be asked)
 * @param scheme      the challenge's scheme, e.g. {@code Bearer}
 * @param errorCode   the RFC 6750 error ({@code invalid_request}, {@code invalid_token},
 *                    {@code insufficient_scope}); empty when the request carried no credential at all (RFC 6750
 *                    section 3.1: then no error code is sent)
 * @param scope       for insufficient_scope: the scopes required; else empty
 */
public record Challenge(Problem problem, String scheme, String errorCode, String scope) {
    public static final String REALM = "loomgate";

    public Challenge {
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(errorCode, "errorCode");
        Objects.requireNonNull(scope, "scope");
    }

    /** No credential in the request. */
    public static Challenge missing(String scheme, String detail) {
        return new Challenge(new Problem(Problem.Type.INVALID_TOKEN, detail), scheme, "", "");
    }

    /** A credential that is malformed, unknown, expired, badly signed or revoked. */
    public static Challenge invalid(String scheme, String detail) {
        return new Challenge(new Problem(Problem.Type.INVALID_TOKEN, detail), scheme, "invalid_token", "");
    }

    /** A valid credential that lacks a required scope or claim value. */
    public static Challenge insufficient(String scheme, String detail, String scope) {
        return new Challenge(new Problem(Problem.Type.INSUFFICIENT_SCOPE, detail), scheme, "insufficient_scope", scope);
    }

    /** The identity provider could not answer in time; the credential may well be good. */
    public static Challenge unavailable(String scheme, String detail) {
        return new Challenge(new Problem(Problem.Type.IDENTITY_PROVIDER_UNAVAILABLE, detail), scheme, "", "");
    }

    /** The {@code WWW-Authenticate} value; quotes and backslashes in the description are dropped. */
    public String header() {
        StringBuilder sb = new StringBuilder(scheme).append(" realm=\"").append(REALM).append('"');
        if (!errorCode.isEmpty()) {
            sb.append(", error=\"").append(errorCode).append('"');
            sb.append(", error_description=\"").append(quotable(problem.detail())).append('"');
        }
        if (!scope.isEmpty()) {
            sb.append(", scope=\"").append(quotable(scope)).append('"');
        }
        return sb.toString();
    }

    /** Answers the exchange: the problem, with the challenge on 401 and 403. */
    public void answer(Exchange exchange) {
        if (problem.status() == 401 || problem.status() == 403) {
            String value = header();
            exchange.onResponseHead(head -> head.headers().set("WWW-Authenticate", value));
        }
        exchange.answer(problem);
    }

    /** RFC 6750 limits error_description to printable ASCII without {@code "} and {@code \}. */
    private static String quotable(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length() && sb.length() < 200; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c <= 0x7e && c != '"' && c != '\\') {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
