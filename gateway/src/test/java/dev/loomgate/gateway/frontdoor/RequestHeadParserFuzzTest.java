package dev.loomgate.gateway.frontdoor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Mutated requests (seeded, so failures reproduce): the parser and the chunked decoder only ever
 * accept or refuse with a client-error rejection; no other exception (that would become a 500).
 */
class RequestHeadParserFuzzTest {
    private static final String[] SEEDS = {
        "GET /a/b?x=1 HTTP/1.1\r\nHost: a.test\r\nX-A: v\r\n\r\n",
        "POST http://b.test:81/p HTTP/1.1\r\nHost: b\r\nContent-Length: 5\r\n\r\nhello",
        "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n0\r\nT: 1\r\n\r\n",
        "OPTIONS * HTTP/1.0\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n",
    };
    private static final byte[] SPECIAL = " \t\r\n:;,/?%#*\"\u0000\u007f\u00ff0123456789abcdefHTP.-".getBytes(StandardCharsets.ISO_8859_1);
    private static final FrontDoorSettings SETTINGS = FrontDoorSettings.builder()
            .maxRequestLine(300).maxHeaderSize(600).maxHeaderCount(20).maxBodySize(100).maxChunkExtension(40).build();

    @Test
    void mutatedRequestsNeverEscapeAsUnexpectedExceptions() {
        Random random = new Random(20261130);
        for (int round = 0; round < 30_000; round++) {
            byte[] seed = SEEDS[random.nextInt(SEEDS.length)].getBytes(StandardCharsets.ISO_8859_1);
            byte[] input = mutate(seed, random);
            try {
                parseAndReadBody(input);
            } catch (RequestRejected | IOException expected) {
                // a refusal or a cut stream: fine
            } catch (RuntimeException e) {
                fail("round " + round + ": " + e + " for " + printable(input), e);
            }
        }
    }

    private static void parseAndReadBody(byte[] input) throws RequestRejected, IOException {
        ConnectionInput in = new ConnectionInput(new ByteArrayInputStream(input), null, 600);
        RequestHead head = new RequestHeadParser(SETTINGS).parse(in);
        Exchange ex = new Exchange(new ConnectionOutput(new ByteArrayOutputStream(), 1_000_000_000L),
                head.version(), false, head.keepAlive(), head.expectContinue());
        new BodyInput(in, ex, head, SETTINGS).readAllBytes();
    }

    private static byte[] mutate(byte[] seed, Random r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(seed);
        byte[] b = out.toByteArray();
        int edits = 1 + r.nextInt(4);
        for (int i = 0; i < edits; i++) {
            int at = r.nextInt(b.length);
            byte v = r.nextBoolean() ? SPECIAL[r.nextInt(SPECIAL.length)] : (byte) r.nextInt(256);
            switch (r.nextInt(3)) {
                case 0 -> b[at] = v; // replace
                case 1 -> { // insert
                    byte[] n = new byte[b.length + 1];
                    System.arraycopy(b, 0, n, 0, at);
                    n[at] = v;
                    System.arraycopy(b, at, n, at + 1, b.length - at);
                    b = n;
                }
                default -> { // delete
                    if (b.length > 1) {
                        byte[] n = new byte[b.length - 1];
                        System.arraycopy(b, 0, n, 0, at);
                        System.arraycopy(b, at + 1, n, at, b.length - at - 1);
                        b = n;
                    }
                }
            }
        }
        return b;
    }

    private static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.toString();
    }
}
