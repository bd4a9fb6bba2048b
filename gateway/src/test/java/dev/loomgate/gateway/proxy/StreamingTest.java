package dev.loomgate.gateway.proxy;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.GatewayProcess;
import dev.loomgate.gateway.testing.RawHttp;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * 100 MB bodies through a node whose heap is capped at 48 MB: only streaming can pass (a buffered
 * body would need twice the heap). The node runs in its own JVM so the cap is real.
 */
class StreamingTest {
    private static final long SIZE = 100L * 1024 * 1024;
    private static TestUpstream echo;
    private static TestUpstream big;
    private static GatewayProcess gateway;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        echo = TestUpstream.start("echo").behave(Behaviors.echo());
        big = TestUpstream.start("big");
        gateway = GatewayProcess.start(dir, """
                upstreams:
                  - name: echo
                    endpoints: [ %s ]
                  - name: big
                    endpoints: [ %s ]
                routes:
                  - id: echo
                    upstream: echo
                    match: { path-prefix: /echo }
                  - id: big
                    upstream: big
                    match: { path-prefix: /big }
                """.formatted(echo.address(), big.address()),
                "access-log: off\nlimits: { max-body-size: 0 }", "-Xmx48m", "-XX:+UseSerialGC");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        echo.close();
        big.close();
    }

    @Test
    void downloadsWithContentLengthAndChunked() throws Exception {
        big.behave(Behaviors.large(SIZE, false));
        assertEquals(SIZE, download("/big/fixed"));
        big.behave(Behaviors.large(SIZE, true));
        assertEquals(SIZE, download("/big/chunked"));
    }

    @Test
    void uploadsAndEchoesChunkedFullDuplex() throws Exception {
        assertEquals(SIZE, roundTrip(true));
    }

    @Test
    void uploadsAndEchoesWithContentLength() throws Exception {
        assertEquals(SIZE, roundTrip(false));
    }

    private long download(String path) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = new BufferedInputStream(s.getInputStream());
            String status = readLine(in);
            assertEquals("HTTP/1.1 200", status.substring(0, 12), status);
            boolean chunked = false;
            long length = -1;
            String line;
            while (!(line = readLine(in)).isEmpty()) {
                String l = line.toLowerCase(Locale.ROOT);
                chunked |= l.startsWith("transfer-encoding:") && l.contains("chunked");
                if (l.startsWith("content-length:")) {
                    length = Long.parseLong(l.substring(15).trim());
                }
            }
            long total = 0;
            byte[] buf = new byte[64 * 1024];
            if (chunked) {
                while (true) {
                    long size = Long.parseLong(readLine(in).trim(), 16);
                    if (size == 0) {
                        break;
                    }
                    total += in.readNBytes(buf, 0, 0) + skip(in, size, buf);
                    readLine(in);
                }
            } else {
                assertEquals(SIZE, length);
                total = skip(in, length, buf);
            }
            return total;
        }
    }

    private static long skip(InputStream in, long n, byte[] buf) throws Exception {
        long left = n;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                throw new IllegalStateException("EOF with " + left + " bytes left");
            }
            left -= r;
        }
        return n;
    }

    /** Sends SIZE random bytes while reading the echo; compares SHA-256 of both directions. */
    private long roundTrip(boolean chunked) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    String head = "POST /echo HTTP/1.1\r\nHost: t\r\n"
                            + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + SIZE + "\r\n") + "\r\n";
                    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                    Random r = new Random(42);
                    byte[] block = new byte[256 * 1024];
                    long left = SIZE;
                    while (left > 0) {
                        r.nextBytes(block);
                        int n = (int) Math.min(block.length, left);
                        sent.update(block, 0, n);
                        if (chunked) {
                            out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        }
                        out.write(block, 0, n);
                        if (chunked) {
                            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        }
                        left -= n;
                    }
                    if (chunked) {
                        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    }
                    out.flush();
                } catch (Throwable t) {
                    writeFailure.set(t);
                }
            });
            InputStream in = new BufferedInputStream(s.getInputStream());
            RawHttp.Response head = readHeadOnly(in);
            assertEquals(200, head.status());
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            long total = 0;
            byte[] buf = new byte[64 * 1024];
            while (true) {
                long size = Long.parseLong(readLine(in).trim(), 16);
                if (size == 0) {
                    readLine(in);
                    break;
                }
                long left = size;
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    received.update(buf, 0, n);
                    left -= n;
                }
                total += size;
                readLine(in);
            }
            writer.join();
            if (writeFailure.get() != null) {
                throw new AssertionError("upload failed", writeFailure.get());
            }
            assertEquals(HexFormat.of().formatHex(sent.digest()), HexFormat.of().formatHex(received.digest()));
            return total;
        }
    }

    private static RawHttp.Response readHeadOnly(InputStream in) throws Exception {
        String status = readLine(in);
        int code = Integer.parseInt(status.split(" ")[1]);
        while (!readLine(in).isEmpty()) {
            // headers are not needed here
        }
        return new RawHttp.Response(code, java.util.Map.of(), new byte[0]);
    }

    private static String readLine(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IllegalStateException("EOF");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
