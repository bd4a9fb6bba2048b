package dev.loomgate.chaos.frontdoor;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A raw HTTP/1.1 upstream on loopback that records the request line of every request it reads, before it
 * answers, and keeps connections alive: bytes a proxy forwards beyond one request's framing are read as the
 * next request and recorded too (that is how a hidden request shows). Answers 200 with
 * {@value #MARK_HEADER}, so a test can tell its answers from the proxies' own.
 */
final class RecordingUpstream implements AutoCloseable {
    static final String MARK_HEADER = "X-Recording-Upstream";
    private final ServerSocket server;
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final List<java.util.Map<String, String>> requestHeaders = new CopyOnWriteArrayList<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private RecordingUpstream(ServerSocket server) {
        this.server = server;
        this.acceptor = Thread.ofVirtual().name("recording-upstream-accept").start(this::acceptLoop);
    }

    static RecordingUpstream start() throws IOException {
        return new RecordingUpstream(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    }

    int port() {
        return server.getLocalPort();
    }

    /** The header fields of every request received so far, in order (names lower case, last value wins). */
    List<java.util.Map<String, String>> requestHeaders() {
        return List.copyOf(requestHeaders);
    }

    /** Every request line received so far, in order. */
    List<String> requestLines() {
        return List.copyOf(requestLines);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.add(s);
                Thread.ofVirtual().name("recording-upstream-conn").start(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                String requestLine = line(in);
                if (requestLine == null) {
                    return;
                }
                if (requestLine.isEmpty()) {
                    continue; // RFC 9112 §2.2: empty lines before a request line are ignored
                }
                requestLines.add(requestLine);
                long length = 0;
                boolean chunked = false;
                java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
                for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                    int colon = h.indexOf(':');
                    String name = colon < 0 ? h : h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    fields.put(name, colon < 0 ? "" : h.substring(colon + 1).trim());
                    String value = colon < 0 ? "" : h.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
                    if (name.equals("content-length")) {
                        length = Long.parseLong(value);
                    } else if (name.equals("transfer-encoding") && value.endsWith("chunked")) {
                        chunked = true;
                    }
                }
                requestHeaders.add(java.util.Map.copyOf(fields));
                if (chunked) {
                    skipChunked(in);
                } else {
                    in.skipNBytes(length);
                }
                out.write(("HTTP/1.1 200 OK\r\n" + MARK_HEADER + ": yes\r\nContent-Length: 2\r\n\r\nok")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // a connection the proxy closed or framed in a way this reader cannot follow: nothing more to record
        }
    }

    private static void skipChunked(InputStream in) throws IOException {
        while (true) {
            String sizeLine = line(in);
            if (sizeLine == null) {
                throw new IOException("end of input in a chunked body");
            }
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                for (String t = line(in); t != null && !t.isEmpty(); t = line(in)) {
                    // trailer fields: dropped
                }
                return;
            }
            in.skipNBytes(size);
            line(in); // CRLF after the chunk data
        }
    }

    /** A line without its CRLF (or bare LF); null at end of input. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            buf.write(b);
        }
        if (b == -1 && buf.size() == 0) {
            return null;
        }
        String s = buf.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : connections) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
