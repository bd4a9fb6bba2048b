package dev.loomgate.gateway.policy.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** RFC 6750 challenges and where credentials are found. */
class ChallengeTest {
    @Test
    void challengesFollowRfc6750() {
        assertEquals("Bearer realm=\"loomgate\"", Challenge.missing("Bearer", "no token").header());
        assertEquals("Bearer realm=\"loomgate\", error=\"invalid_token\", error_description=\"token expired\"",
                Challenge.invalid("Bearer", "token expired").header());
        assertEquals("Bearer realm=\"loomgate\", error=\"insufficient_scope\", error_description=\"lacks it\", "
                + "scope=\"orders:write\"", Challenge.insufficient("Bearer", "lacks it", "orders:write").header());
        String header = Challenge.invalid("Bearer", "bad \"quote\" \\ and\r\nnewline é").header();
        assertTrue(header.endsWith("error_description=\"bad quote  andnewline \""), header);
        assertEquals(401, Challenge.invalid("Bearer", "x").problem().status());
        assertEquals(403, Challenge.insufficient("Bearer", "x", "").problem().status());
        assertEquals(503, Challenge.unavailable("Bearer", "x").problem().status());
    }

    @Test
    void credentialSources() {
        assertEquals("bearer", CredentialSource.parse("bearer", false).describe());
        assertEquals("header:X-Token", CredentialSource.parse("header:X-Token", false).describe());
        assertEquals("cookie:session", CredentialSource.parse(" cookie: session ", false).describe());
        assertEquals("query:api_key", CredentialSource.parse("query:api_key", true).describe());
        assertThrows(IllegalArgumentException.class, () -> CredentialSource.parse("query:t", false));
        assertThrows(IllegalArgumentException.class, () -> CredentialSource.parse("header:", false));
        assertThrows(IllegalArgumentException.class, () -> CredentialSource.parse("bearer:x", false));
        assertEquals(List.of("a", "b"), IdentityForwarding.scopes("a  b"));
        assertEquals(List.of("a", "b"), IdentityForwarding.scopes(List.of("a", "b")));
        assertEquals(List.of(), IdentityForwarding.scopes(Optional.empty()));
    }

    @Test
    void aBearerTokenIsLocatedInPlaceWithTheWhitespaceRulesOfStrip() {
        CredentialSource bearer = new CredentialSource.Bearer();
        for (String header : List.of("Bearer abc.def", "  bearer   abc.def \t", "BEARER abc.def")) {
            CredentialSource.Located at = bearer.locate(request(List.of(header))).orElseThrow();
            assertEquals("abc.def", at.value(), header);
            assertTrue(at.source() == header, "looked up in the header value itself, not a copy: " + header);
            assertEquals(Optional.of("abc.def"), bearer.find(request(List.of(header))));
        }
        for (List<String> none : List.of(List.<String>of(), List.of("Bearer"), List.of("Bearer   "), List.of("Basic abc"),
                List.of("Bearerabc"), List.of("Bearer a", "Bearer b"))) {
            assertEquals(Optional.empty(), bearer.locate(request(none)), none.toString());
        }
    }

    private static dev.loomgate.gateway.http.RequestView request(List<String> authorization) {
        return new dev.loomgate.gateway.http.RequestView() {
            public String method() { return "GET"; }
            public String host() { return "h"; }
            public String path() { return "/"; }
            public String rawQuery() { return ""; }
            public List<String> headerValues(String name) {
                return name.equalsIgnoreCase("Authorization") ? authorization : List.of();
            }
            public Optional<String> queryParam(String name) { return Optional.empty(); }
            public Optional<String> cookie(String name) { return Optional.empty(); }
            public String clientIp() { return "127.0.0.1"; }
            public boolean peerIsTrustedProxy() { return false; }
        };
    }
}
