package dev.loomgate.gateway.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A byte-exact HTTP/1.1 client for tests: sends exactly the request text given (so tests can send
 * malformed or hostile requests a normal client refuses to build) and parses one response.
 */
public final class RawHttp {
    /** A parsed response. */
    public record Response(int status, Map<String, List<String>> headers, byte[] body) {
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : String.join(", ", v);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private RawHttp() {
    }

    /** Sends {@code request} (CRLFs added for bare LFs in the head) and reads one response. */
    public static Response exchange(int port, String request) throws IOException {
        return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), false);
    }

    public static Response exchange(int port, byte[] request, boolean head) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            return read(new BufferedInputStream(s.getInputStream()), head);
        }
    }

    /**
     * Sends {@code request} from another thread while reading the answer, as a client sending a body the server may
     * refuse early must (RFC 9112 9.5: watch for an error response while sending): the server answers, drains what
     * it is willing to and closes, so the rest of the write may fail with a broken pipe; only the answer counts.
     */
    public static Response exchangeWhileSending(int port, byte[] request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    s.getOutputStream().write(request);
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    // the server closed after its early answer: expected for a body it refused
                }
            });
            Response r = read(new BufferedInputStream(s.getInputStream()), false);
            s.close();
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return r;
        }
    }

    public static Response read(InputStream in, boolean headRequest) throws IOException {
        String status = TestUpstream.readLine(in);
        if (status == null) {
            throw new IOException("connection closed without a response");
        }
        int code = Integer.parseInt(status.split(" ")[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String line;
        while ((line = TestUpstream.readLine(in)) != null && !line.isEmpty()) {
            int c = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, c).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(c + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (!headRequest && code != 204 && code != 304) {
            List<String> te = headers.get("transfer-encoding");
            List<String> cl = headers.get("content-length");
            if (te != null && te.toString().contains("chunked")) {
                while (true) {
                    long size = Long.parseLong(TestUpstream.readLine(in).split(";")[0].trim(), 16);
                    if (size == 0) {
                        while ((line = TestUpstream.readLine(in)) != null && !line.isEmpty()) {
                            // trailers
                        }
                        break;
                    }
                    body.write(in.readNBytes((int) size));
                    TestUpstream.readLine(in);
                }
            } else if (cl != null) {
                body.write(in.readNBytes(Integer.parseInt(cl.getFirst())));
            } else {
                in.transferTo(body);
            }
        }
        return new Response(code, headers, body.toByteArray());
    }
}
