package dev.loomgate.gateway.frontdoor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chunked decoder: sizes, extensions, CRLF after data, trailers, limits. */
class ChunkedBodyTest {
    private static final FrontDoorSettings SETTINGS = FrontDoorSettings.builder()
            .maxHeaderSize(200).maxBodySize(100).maxChunkExtension(40).build();

    /** Decodes {@code chunks} (the bytes after the head) and returns the body; what follows stays readable. */
    private static String decode(String chunks) throws IOException {
        byte[] bytes = chunks.getBytes(StandardCharsets.ISO_8859_1);
        ConnectionInput in = new ConnectionInput(new ByteArrayInputStream(bytes), null, 1000);
        RequestHead head = new RequestHead("POST", "/", "/", "", HttpVersion.HTTP_1_1, new HeaderFields(1),
                RequestHead.Framing.CHUNKED, 0, true, false, false);
        Exchange ex = new Exchange(new ConnectionOutput(new ByteArrayOutputStream(), 1_000_000_000L),
                HttpVersion.HTTP_1_1, false, true, false);
        BodyInput body = new BodyInput(in, ex, head, SETTINGS);
        String text = new String(body.readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(body.complete());
        return text;
    }

    private static int failure(String chunks) {
        ClientBodyException e = assertThrows(ClientBodyException.class, () -> decode(chunks), chunks);
        return e.rejection().status();
    }

    @Test
    void validBodies() throws IOException {
        assertEquals("hello world", decode("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
        assertEquals("hello", decode("5;ext=1;x=\"q\"\r\nhello\r\n0\r\n\r\n"));
        assertEquals("hello", decode("5 ;ext\r\nhello\r\n0\r\n\r\n"));
        assertEquals("hello", decode("0005\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n"));
        assertEquals("ABCDEFGHIJ", decode("A\r\nABCDEFGHIJ\r\n0\r\n\r\n"));
        assertEquals("", decode("0\r\n\r\n"));
    }

    @Test
    void framingErrorsAre400() {
        assertEquals(400, failure("5\r\nhello world\r\n0\r\n\r\n"), "chunk longer than its size");
        assertEquals(400, failure("5\r\nhelloXX0\r\n\r\n"), "no CRLF after data");
        assertEquals(400, failure("5\nhello\r\n0\r\n\r\n"), "bare LF");
        assertEquals(400, failure("-5\r\nhello\r\n0\r\n\r\n"));
        assertEquals(400, failure("+5\r\nhello\r\n0\r\n\r\n"));
        assertEquals(400, failure("0x5\r\nhello\r\n0\r\n\r\n"));
        assertEquals(400, failure(" 5\r\nhello\r\n0\r\n\r\n"));
        assertEquals(400, failure("5 5\r\nhello\r\n0\r\n\r\n"));
        assertEquals(400, failure("\r\nhello\r\n0\r\n\r\n"));
        assertEquals(400, failure("fffffffffffffffff\r\n"), "overflow");
        assertEquals(400, failure("5;" + "e".repeat(60) + "\r\nhello\r\n0\r\n\r\n"), "extension too long");
        assertEquals(400, failure("5\r\nhello\r\n0\r\nBad Trailer: x\r\n\r\n"));
        assertEquals(400, failure("5\r\nhello\r\n0\r\nX: " + "t".repeat(300) + "\r\n\r\n"), "trailers bounded");
        assertEquals(400, failure("5\r\nhel"), "client went away");
    }

    @Test
    void tooLargeIs413() {
        assertEquals(413, failure("40\r\n" + "x".repeat(64) + "\r\n40\r\n" + "x".repeat(64) + "\r\n0\r\n\r\n"));
    }
}
