package dev.loomgate.loadtests.openload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Where a response ends in partly received bytes: every prefix is incomplete, the whole is complete. */
class ResponseFramingTest {
    private static ResponseFraming.Complete parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return ResponseFraming.parse(b, b.length);
    }

    private static void everyPrefixIsIncomplete(String s) {
        for (int i = 0; i < s.length(); i++) {
            assertNull(parse(s.substring(0, i)), "prefix of " + i + " bytes");
        }
    }

    @Test
    void contentLength() {
        String r = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: nginx\r\n\r\nhello";
        everyPrefixIsIncomplete(r);
        assertEquals(new ResponseFraming.Complete(200, r.length(), false), parse(r));
        assertEquals(new ResponseFraming.Complete(200, r.length(), false), parse(r + "HTTP/1.1 200"), "bytes after it");
    }

    @Test
    void chunkedWithExtensionsAndTrailers() {
        String r = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n";
        everyPrefixIsIncomplete(r);
        assertEquals(new ResponseFraming.Complete(200, r.length(), false), parse(r));
    }

    @Test
    void statusCloseAndEmptyBodies() {
        String busy = "HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
        assertEquals(new ResponseFraming.Complete(503, busy.length(), true), parse(busy));
        String notModified = "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n";
        assertEquals(new ResponseFraming.Complete(304, notModified.length(), false), parse(notModified));
    }

    @Test
    void garbageAndUnframedResponsesAreErrors() {
        assertThrows(IllegalStateException.class, () -> parse("SSH-2.0-OpenSSH\r\n\r\n"));
        assertThrows(IllegalStateException.class, () -> parse("HTTP/1.0 200 OK\r\nServer: x\r\n\r\nbody until close"));
    }
}
