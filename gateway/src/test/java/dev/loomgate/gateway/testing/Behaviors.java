package dev.loomgate.gateway.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Ready-made {@link TestUpstream.Behavior}s. */
public final class Behaviors {
    private Behaviors() {
    }

    /** 200 with a small text body naming the server, the method and the target. */
    public static TestUpstream.Behavior ok(String name) {
        return status(200, name);
    }

    public static TestUpstream.Behavior status(int status, String name) {
        return (req, out) -> {
            req.drainBody();
            byte[] body = (name + " " + req.method() + " " + req.target()).getBytes(StandardCharsets.UTF_8);
            head(out, status, "Content-Length: " + body.length, "X-Served-By: " + name);
            if (!req.method().equals("HEAD")) {
                out.write(body);
            }
            return true;
        };
    }

    /** Reads the request, then waits before answering 200 (a slow upstream; the wait is the point). */
    public static TestUpstream.Behavior slow(long millis, String name) {
        TestUpstream.Behavior ok = ok(name);
        return (req, out) -> {
            req.drainBody();
            sleep(millis);
            return ok.respond(req, out);
        };
    }

    /** Reads the request and never answers (sleeps until the upstream is closed). */
    public static TestUpstream.Behavior hang() {
        return (req, out) -> {
            req.drainBody();
            sleep(600_000);
            return false;
        };
    }

    /** Closes the connection without a response byte. */
    public static TestUpstream.Behavior closeBeforeResponse() {
        return (req, out) -> {
            req.drainBody();
            return false;
        };
    }

    /** Announces a body and closes the connection half-way through it. */
    public static TestUpstream.Behavior closeMidBody() {
        return (req, out) -> {
            req.drainBody();
            head(out, 200, "Content-Length: 1000");
            out.write(new byte[500]);
            out.flush();
            return false;
        };
    }

    /** Streams the request body back as it arrives, chunked (full duplex). */
    public static TestUpstream.Behavior echo() {
        return new TestUpstream.Behavior() {
            @Override
            public boolean respond(TestUpstream.Request req, OutputStream out) throws IOException {
                head(out, 200, "Transfer-Encoding: chunked", "Content-Type: application/octet-stream");
                byte[] buf = new byte[32 * 1024];
                int n;
                while ((n = req.body().read(buf)) > 0) {
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(buf, 0, n);
                    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                return true;
            }

            @Override
            public boolean fullDuplex() {
                return true;
            }
        };
    }

    /** Answers {@code size} bytes of 'x', with a Content-Length or chunked. */
    public static TestUpstream.Behavior large(long size, boolean chunked) {
        return (req, out) -> {
            req.drainBody();
            byte[] block = new byte[64 * 1024];
            Arrays.fill(block, (byte) 'x');
            head(out, 200, chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + size);
            long left = size;
            while (left > 0) {
                int n = (int) Math.min(block.length, left);
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
            return true;
        };
    }

    /** Answers with the given raw header lines after the status line (for header tests). */
    public static TestUpstream.Behavior withHeaders(String... lines) {
        return (req, out) -> {
            req.drainBody();
            String[] all = Arrays.copyOf(lines, lines.length + 1);
            all[lines.length] = "Content-Length: 2";
            head(out, 200, all);
            out.write("ok".getBytes(StandardCharsets.ISO_8859_1));
            return true;
        };
    }

    public static void head(OutputStream out, int status, String... lines) throws IOException {
        StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(" X\r\n");
        for (String l : lines) {
            sb.append(l).append("\r\n");
        }
        sb.append("\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
