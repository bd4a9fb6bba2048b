package dev.loomgate.gateway.frontdoor;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each RFC 9112 rule of the head parser, several variants per class, without sockets. */
class RequestHeadParserTest {
    private static final FrontDoorSettings SETTINGS = FrontDoorSettings.builder()
            .maxRequestLine(200).maxHeaderSize(1000).maxHeaderCount(10).maxBodySize(1000).build();

    private static RequestHead parse(String raw) throws Exception {
        byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
        ConnectionInput in = new ConnectionInput(new ByteArrayInputStream(bytes), null, 1000);
        return new RequestHeadParser(SETTINGS).parse(in);
    }

    private static Rejection rejected(String raw) {
        return assertThrows(RequestRejected.class, () -> parse(raw), raw).rejection();
    }

    private static void assertStatus(int status, String raw) {
        Rejection r = rejected(raw);
        assertEquals(status, r.status(), raw + " -> " + r.detail());
    }

    @Test
    void plainRequests() throws Exception {
        RequestHead h = parse("GET /a/b?x=1&y=%20 HTTP/1.1\r\nHost: a.test\r\nX-A:  v v \r\n\r\n");
        assertEquals("GET", h.method());
        assertEquals("/a/b", h.path());
        assertEquals("x=1&y=%20", h.rawQuery());
        assertEquals(HttpVersion.HTTP_1_1, h.version());
        assertEquals("v v", h.headers().first("x-a").orElseThrow());
        assertTrue(h.keepAlive());
        assertEquals(RequestHead.Framing.NONE, h.framing());

        RequestHead old = parse("GET / HTTP/1.0\r\n\r\n");
        assertEquals(HttpVersion.HTTP_1_0, old.version());
        assertFalse(old.keepAlive(), "1.0 is not persistent by default");
        assertTrue(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keepAlive());
        assertFalse(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").keepAlive());
    }

    @Test
    void targetForms() throws Exception {
        RequestHead abs = parse("GET http://b.test:81/p?q HTTP/1.1\r\nHost: ignored\r\n\r\n");
        assertEquals("/p", abs.path());
        assertEquals("q", abs.rawQuery());
        assertEquals("b.test:81", abs.headers().first("Host").orElseThrow(), "absolute-form authority replaces Host");
        assertEquals("/", parse("GET http://b.test HTTP/1.1\r\nHost: b.test\r\n\r\n").path());
        assertEquals("*", parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").path());
        assertStatus(400, "GET * HTTP/1.1\r\nHost: a\r\n\r\n");
        assertStatus(501, "CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n\r\n");
        assertStatus(400, "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n");
        assertStatus(400, "GET ftp://x/ HTTP/1.1\r\nHost: a\r\n\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a b", "/a\u0001", "/a\u00e9", "/a%zz", "/a%4", "/a#frag", "/a\"b", "/a<b>", "/a\\b"})
    void badTargetIs400(String target) {
        String raw = "GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n";
        assertEquals(400, rejected(raw).status());
    }

    @Test
    void requestLineRules() {
        assertStatus(400, "GARBAGE\r\n\r\n");
        assertStatus(400, "GET /\r\n\r\n"); // HTTP/0.9
        assertStatus(400, "GET  / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertStatus(400, "GET / HTTP/1.1 \r\nHost: a\r\n\r\n");
        assertStatus(400, "G(T / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertStatus(400, "GET / http/1.1\r\nHost: a\r\n\r\n");
        assertStatus(400, "GET / HTTP/1.10\r\nHost: a\r\n\r\n");
        assertStatus(505, "GET / HTTP/2.0\r\nHost: a\r\n\r\n");
        assertStatus(505, "GET / HTTP/1.2\r\nHost: a\r\n\r\n");
        assertStatus(505, "GET / HTTP/0.9\r\nHost: a\r\n\r\n");
        assertStatus(414, "GET /" + "a".repeat(300) + " HTTP/1.1\r\nHost: a\r\n\r\n");
        assertStatus(400, "GET / HTTP/1.1\nHost: a\r\n\r\n"); // bare LF
        assertStatus(400, "GET / HTTP/1.1\r\nHost: a\n\r\n");
    }

    @Test
    void headerRules() {
        assertStatus(400, "GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n");
        assertStatus(400, "GET / HTTP/1.1\r\nHost: a\r\nX-A : x\r\n\r\n");
        assertStatus(400, "GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n");
        assertStatus(400, "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n");
        assertStatus(400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n folded\r\n\r\n");
        assertStatus(400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u0000b\r\n\r\n");
        assertStatus(400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\rb\r\n\r\n");
        assertStatus(400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u007fb\r\n\r\n");
        assertStatus(400, "GET / HTTP/1.1\r\nHost: a\r\nX\u00e9: a\r\n\r\n");
        assertStatus(431, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "x".repeat(1200) + "\r\n\r\n");
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (int i = 0; i < 11; i++) {
            many.append("X-").append(i).append(": v\r\n");
        }
        assertStatus(431, many + "\r\n");
    }

    @Test
    void hostRules() throws Exception {
        assertStatus(400, "GET / HTTP/1.1\r\n\r\n");
        assertStatus(400, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
        assertStatus(400, "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n");
        assertStatus(400, "GET / HTTP/1.1\r\nHost: a b\r\n\r\n");
        assertStatus(400, "GET / HTTP/1.1\r\nHost: user@a\r\n\r\n");
        assertStatus(400, "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n");
        assertEquals("", parse("GET / HTTP/1.0\r\n\r\n").headers().first("Host").orElse(""));
    }

    @Test
    void contentLength() throws Exception {
        RequestHead h = parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n");
        assertEquals(RequestHead.Framing.LENGTH, h.framing());
        assertEquals(5, h.contentLength());
        assertEquals(5, parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n").contentLength());
        assertEquals(5, parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n")
                .contentLength());
        for (String bad : new String[] {"+5", "-5", "5 5", "0x5", "5a", "", " ", "5,", "99999999999999999999", "5, 47"}) {
            assertStatus(400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + bad + "\r\n\r\n");
        }
        assertStatus(400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 47\r\n\r\n");
        assertStatus(413, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n");
    }

    @Test
    void transferEncoding() throws Exception {
        for (String chunked : new String[] {"chunked", "Chunked", "CHUNKED", " chunked ", "chunked,"}) {
            assertEquals(RequestHead.Framing.CHUNKED,
                    parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: " + chunked + "\r\n\r\n").framing(), chunked);
        }
        assertStatus(400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n");
        assertStatus(400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n");
        assertStatus(400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n");
        assertStatus(400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n");
        assertStatus(400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n");
        assertStatus(400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;q=1\r\n\r\n");
        assertStatus(501, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
        assertStatus(501, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity, chunked\r\n\r\n");
        assertStatus(400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n");
        assertStatus(400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n");
        assertStatus(400, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n");
    }

    @Test
    void connectionOptions() throws Exception {
        RequestHead ws = parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
        assertTrue(ws.upgrade());
        assertFalse(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n\r\n")
                .upgrade(), "h2c is ignored");
        assertFalse(parse("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n").upgrade(),
                "Upgrade without the Connection token is dropped, not honoured");
        assertTrue(parse("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n")
                .expectContinue());
        assertFalse(parse("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n").expectContinue());
    }

    @Test
    void headsLargerThanTheFirstBufferGrowItAndKeepThePipelinedRequest() throws Exception {
        FrontDoorSettings large = FrontDoorSettings.builder().maxRequestLine(8192).maxHeaderSize(16_384)
                .maxHeaderCount(10).maxBodySize(1000).build();
        String cookie = "c".repeat(3 * ConnectionInput.INITIAL);
        String first = "GET /one HTTP/1.1\r\nHost: a\r\nCookie: " + cookie + "\r\nX-After: yes\r\n\r\n";
        String second = "GET /two HTTP/1.1\r\nHost: a\r\n\r\n";
        ConnectionInput in = new ConnectionInput(new ByteArrayInputStream(
                (first + second).getBytes(StandardCharsets.ISO_8859_1)), null, 8192);
        RequestHeadParser parser = new RequestHeadParser(large);
        RequestHead one = parser.parse(in);
        assertEquals(cookie, one.headers().first("cookie").orElseThrow());
        assertEquals("yes", one.headers().first("x-after").orElseThrow());
        assertTrue(in.buf.length > ConnectionInput.INITIAL, "grew for the long line");
        assertEquals("/two", parser.parse(in).path(), "the next request on the connection is intact");
    }
}
