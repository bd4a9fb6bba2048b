package dev.loomgate.chaos.load;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP/1.1 connection over a plain socket. A raw client (not the JDK HttpClient) so the harness decides
 * exactly when a TCP connection is opened or reused, and sees every response header.
 */
final class HttpConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private volatile long idleSinceNanos;

    private HttpConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 8192);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 4096);
        this.idleSinceNanos = System.nanoTime();
    }

    static HttpConnection open(String host, int port, int connectTimeoutMillis) throws TransportException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            return new HttpConnection(socket);
        } catch (SocketTimeoutException e) {
            closeQuietly(socket);
            throw new TransportException(ErrorClass.CONNECT_TIMEOUT, true, "connect to " + host + ":" + port, e);
        } catch (ConnectException e) {
            closeQuietly(socket);
            ErrorClass cls = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("refused")
                    ? ErrorClass.CONNECT_REFUSED : ErrorClass.OTHER;
            throw new TransportException(cls, true, "connect to " + host + ":" + port + ": " + e.getMessage(), e);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new TransportException(ErrorClass.OTHER, true, "connect to " + host + ":" + port + ": " + e, e);
        }
    }

    /** A response: status, the headers (names lower-cased), and whether the connection may be reused. */
    record Response(int status, Map<String, String> headers, boolean keepAlive) {
    }

    /**
     * Writes {@code request} and reads the whole response within {@code readTimeoutMillis} (total, not per read).
     */
    Response exchange(byte[] request, boolean headRequest, int readTimeoutMillis) throws TransportException {
        long deadline = System.nanoTime() + readTimeoutMillis * 1_000_000L;
        boolean gotBytes = false;
        try {
            out.write(request);
            out.flush();
            String statusLine = readLine(deadline);
            gotBytes = true;
            int status = parseStatus(statusLine);
            Map<String, String> headers = new TreeMap<>();
            for (String line = readLine(deadline); !line.isEmpty(); line = readLine(deadline)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            line.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
                }
            }
            if (status >= 100 && status < 200) {
                // interim response (100 Continue): the real one follows
                return exchangeRest(deadline, headRequest);
            }
            boolean keepAlive = keepAlive(statusLine, headers);
            boolean bodyless = headRequest || status == 204 || status == 304;
            if (!bodyless) {
                keepAlive &= readBody(headers, deadline);
            }
            idleSinceNanos = System.nanoTime();
            return new Response(status, Map.copyOf(headers), keepAlive);
        } catch (TransportException e) {
            throw e;
        } catch (SocketTimeoutException e) {
            throw new TransportException(ErrorClass.READ_TIMEOUT, !gotBytes, "no complete response", e);
        } catch (EOFException e) {
            throw new TransportException(ErrorClass.RESET, !gotBytes, "connection closed by peer: " + e.getMessage(), e);
        } catch (SocketException e) {
            throw new TransportException(ErrorClass.RESET, !gotBytes, String.valueOf(e.getMessage()), e);
        } catch (IOException | RuntimeException e) {
            throw new TransportException(ErrorClass.OTHER, !gotBytes, e.toString(), e);
        }
    }

    private Response exchangeRest(long deadline, boolean headRequest) throws TransportException {
        int remaining = (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
        return exchange(new byte[0], headRequest, remaining);
    }

    private static boolean keepAlive(String statusLine, Map<String, String> headers) {
        String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
        if (statusLine.startsWith("HTTP/1.0")) {
            return connection.contains("keep-alive");
        }
        return !connection.contains("close");
    }

    /** Reads and discards the body; false when the body is delimited by the connection closing. */
    private boolean readBody(Map<String, String> headers, long deadline) throws IOException {
        String te = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
        if (te.contains("chunked")) {
            while (true) {
                String sizeLine = readLine(deadline);
                int semi = sizeLine.indexOf(';');
                long size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
                if (size == 0) {
                    while (!readLine(deadline).isEmpty()) {
                        // trailers
                    }
                    return true;
                }
                skip(size, deadline);
                readLine(deadline);
            }
        }
        String length = headers.get("content-length");
        if (length != null) {
            skip(Long.parseLong(length.trim()), deadline);
            return true;
        }
        byte[] sink = new byte[4096];
        while (true) {
            arm(deadline);
            if (in.read(sink) < 0) {
                return false;
            }
        }
    }

    private void skip(long n, long deadline) throws IOException {
        byte[] sink = new byte[4096];
        while (n > 0) {
            arm(deadline);
            int r = in.read(sink, 0, (int) Math.min(sink.length, n));
            if (r < 0) {
                throw new EOFException("body ended " + n + " bytes early");
            }
            n -= r;
        }
    }

    private String readLine(long deadline) throws IOException {
        StringBuilder line = new StringBuilder(64);
        arm(deadline);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(line.isEmpty() ? "no response" : "truncated line");
            }
            if (b == '\n') {
                int len = line.length();
                if (len > 0 && line.charAt(len - 1) == '\r') {
                    line.setLength(len - 1);
                }
                return line.toString();
            }
            if (line.length() > 16_384) {
                throw new IOException("header line longer than 16 KiB");
            }
            line.append((char) b);
        }
    }

    private void arm(long deadline) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
            throw new SocketTimeoutException("response deadline passed");
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
    }

    private static int parseStatus(String statusLine) throws IOException {
        // HTTP/1.1 200 OK
        if (!statusLine.startsWith("HTTP/") || statusLine.length() < 12) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        return Integer.parseInt(statusLine.substring(9, 12));
    }

    static byte[] request(String method, String host, int port, String path, Map<String, String> headers, String body) {
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(256)
                .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(':').append(port).append("\r\n")
                .append("User-Agent: loomgate-chaos\r\n");
        headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
        if (!body.isEmpty()) {
            sb.append("Content-Type: application/json\r\n");
        }
        if (!body.isEmpty() || "POST".equals(method) || "PUT".equals(method)) {
            sb.append("Content-Length: ").append(bodyBytes.length).append("\r\n");
        }
        sb.append("\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + bodyBytes.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(bodyBytes, 0, all, head.length, bodyBytes.length);
        return all;
    }

    long idleNanos() {
        return System.nanoTime() - idleSinceNanos;
    }

    boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a broken socket: nothing left to do
        }
    }
}
