package dev.loomgate.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The query and cookie lookups every request view shares (front door, stored async jobs). */
class RequestViewTest {
    private static RequestView view(String rawQuery, List<String> cookieHeaders) {
        return new RequestView() {
            @Override
            public String method() {
                return "GET";
            }

            @Override
            public String host() {
                return "example.test";
            }

            @Override
            public String path() {
                return "/";
            }

            @Override
            public String rawQuery() {
                return rawQuery;
            }

            @Override
            public List<String> headerValues(String name) {
                return name.equalsIgnoreCase("Cookie") ? cookieHeaders : List.of();
            }

            @Override
            public String clientIp() {
                return "127.0.0.1";
            }

            @Override
            public boolean peerIsTrustedProxy() {
                return false;
            }
        };
    }

    @Test
    void queryParametersAreDecodedFirstOneWins() {
        RequestView r = view("a=1&user%20id=J%C3%B6rg&a=2&flag&bad=%zz", List.of());
        assertEquals(Optional.of("1"), r.queryParam("a"));
        assertEquals(Optional.of("Jörg"), r.queryParam("user id"));
        assertEquals(Optional.of(""), r.queryParam("flag"));
        assertEquals(Optional.of("%zz"), r.queryParam("bad"), "a malformed escape is kept as sent, never thrown");
        assertEquals(Optional.empty(), r.queryParam("missing"));
        assertEquals(Optional.empty(), view("", List.of()).queryParam("a"));
    }

    @Test
    void cookiesFromEveryHeaderWithoutQuotes() {
        RequestView r = view("", List.of("a=1; b = \"two\"", "c=3;d"));
        assertEquals(Optional.of("1"), r.cookie("a"));
        assertEquals(Optional.of("two"), r.cookie("b"));
        assertEquals(Optional.of("3"), r.cookie("c"));
        assertEquals(Optional.empty(), r.cookie("d"), "a part without '=' is no cookie");
        assertEquals(Optional.empty(), r.cookie("e"));
    }
}
