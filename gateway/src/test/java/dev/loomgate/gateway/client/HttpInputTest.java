package dev.loomgate.gateway.client;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HttpInputTest {
    private static HttpInput input(String s, int bufferSize) {
        return new HttpInput(new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1)), bufferSize);
    }

    @Test
    void readsLinesAcrossBufferBoundaries() throws IOException {
        String text = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Long: " + "v".repeat(100) + "\r\n\nhello";
        for (int size : new int[] {1, 2, 3, 7, 16, 4096}) {
            HttpInput in = input(text, size);
            assertEquals("HTTP/1.1 200 OK", in.readLine(1000), "buffer " + size);
            assertEquals("Content-Length: 5", in.readLine(1000));
            assertEquals("X-Long: " + "v".repeat(100), in.readLine(1000));
            assertEquals("", in.readLine(1000), "bare LF ends a line too");
            assertEquals("hello", new String(in.readNBytes(5), StandardCharsets.ISO_8859_1));
            assertEquals(-1, in.read());
        }
    }

    @Test
    void enforcesTheLineLimitAndReportsEof() {
        assertThrows(IOException.class, () -> input("x".repeat(50) + "\r\n", 8).readLine(20));
        assertThrows(IOException.class, () -> input("x".repeat(50) + "\r\n", 4096).readLine(20));
        assertThrows(EOFException.class, () -> input("", 8).readLine(20));
        IOException partial = assertThrows(IOException.class, () -> input("abc", 8).readLine(20));
        assertEquals("connection closed inside a protocol line", partial.getMessage());
    }
}
