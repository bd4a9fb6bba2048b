package dev.loomgate.gateway.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.loomgate.gateway.http1.ChunkedOutputStream;
import dev.loomgate.gateway.tls.ClientTls;
import dev.loomgate.gateway.upstream.Endpoint;

/**
 * A lean blocking HTTP/1.1 client for upstream traffic, made for virtual threads: one pooled
 * socket per exchange, the request head written in one go, the response parsed by hand, bodies
 * streamed both ways. Measured here it forwards about twice what Helidon's WebClient does
 * (see docs/ARCHITECTURE.md).
 */
public final class UpstreamClient implements AutoCloseable {
    private static final int MAX_HEAD_LINE = 16 * 1024;
    private static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final int MAX_HEADERS = 200;
    private static final byte[] CRLF = {'\r', '\n'};

    private final ClientSettings settings;
    private final ConnectionPool pool;

    public UpstreamClient(ClientSettings settings) {
        this.settings = settings;
        this.pool = new ConnectionPool(settings);
    }

    public ClientSettings settings() {
        return settings;
    }

    /** Connections opened since start (steady under steady load means the pool works). */
    public long connectionsOpened() {
        return pool.connectionsOpened();
    }

    /**
     * Sends the request and reads the response head.
     *
     * @param responseTimeout longest wait for the head, and between body reads afterwards
     * @throws UpstreamException with the failure's kind; the connection is then already discarded
     */
    public UpstreamResponse exchange(Endpoint endpoint, UpstreamRequest request, Duration responseTimeout)
            throws UpstreamException {
        return exchange(endpoint, request, settings.connectTimeout(), responseTimeout);
    }

    /**
     * Like {@link #exchange(Endpoint, UpstreamRequest, Duration)} with a connect timeout for this
     * exchange (a route's or upstream's own) instead of the client's.
     */
    public UpstreamResponse exchange(Endpoint endpoint, UpstreamRequest request, Duration connectTimeout,
                                     Duration responseTimeout) throws UpstreamException {
        return exchange(endpoint, Optional.empty(), request, connectTimeout, responseTimeout);
    }

    /**
     * Like {@link #exchange(Endpoint, UpstreamRequest, Duration, Duration)} over TLS made with {@code tls}
     * (pooled per TLS settings and endpoint); the connect timeout also bounds the handshake.
     */
    public UpstreamResponse exchange(Endpoint endpoint, ClientTls tls, UpstreamRequest request, Duration connectTimeout,
                                     Duration responseTimeout) throws UpstreamException {
        return exchange(endpoint, Optional.of(tls), request, connectTimeout, responseTimeout);
    }

    private HttpConnection acquire(Endpoint endpoint, Optional<ClientTls> tls, Duration connectTimeout)
            throws UpstreamException {
        return tls.isPresent() ? pool.acquire(endpoint, tls.get(), connectTimeout) : pool.acquire(endpoint, connectTimeout);
    }

    private UpstreamResponse exchange(Endpoint endpoint, Optional<ClientTls> tls, UpstreamRequest request,
                                      Duration connectTimeout, Duration responseTimeout) throws UpstreamException {
        HttpConnection c = acquire(endpoint, tls, connectTimeout);
        boolean reused = c.exchanges() > 0;
        try {
            return exchangeOn(c, request, responseTimeout);
        } catch (UpstreamException e) {
            // A pooled connection the upstream closed meanwhile fails before any response byte;
            // a request that may be sent twice then gets one fresh connection.
            if (reused && e.kind() == UpstreamException.Kind.RESET_BEFORE_RESPONSE
                    && request.idempotent() && request.body().replayable()) {
                HttpConnection fresh = acquire(endpoint, tls, connectTimeout);
                return exchangeOn(fresh, request, responseTimeout);
            }
            throw e;
        }
    }

    private UpstreamResponse exchangeOn(HttpConnection c, UpstreamRequest request, Duration responseTimeout)
            throws UpstreamException {
        AtomicReference<Throwable> bodyFailure = new AtomicReference<>();
        Thread bodyWriter = null;
        try {
            c.readTimeout(Math.max(1_000_000L, responseTimeout.toNanos()));
            OutputStream out = c.out();
            writeHead(out, request, c.endpoint());
            switch (request.body()) {
                case RequestBody.None n -> out.flush();
                case RequestBody.Bytes b -> {
                    out.write(b.data());
                    out.flush();
                }
                case RequestBody.Streamed s ->
                    // full duplex: an upstream may answer (or echo) while it still reads the body
                        bodyWriter = Thread.ofVirtual().name("loomgate-body-writer")
                                .start(() -> writeStreamedBody(c, s, bodyFailure));
            }
            ResponseHead head = readHead(c.in(), request.method());
            if (bodyFailure.get() instanceof ClientBodyException) {
                // the upstream answered a request the client never finished (it saw the cut as the end of
                // the body): that answer is to a truncated request, so it is not relayed
                throw new IOException("client body failed");
            }
            Thread writer = bodyWriter;
            InputStream body = bodyStream(c.in(), head);
            return new UpstreamResponse(head.status, head.reason, head.headers, head.contentLength, head.chunked, body,
                    complete -> finish(c, head, complete, writer, bodyFailure));
        } catch (IOException e) {
            discard(c, bodyWriter);
            throw ExchangeFailures.classify(e, c, bodyFailure.get(), responseTimeout);
        }
    }

    private void finish(HttpConnection c, ResponseHead head, boolean bodyComplete, Thread writer,
                        AtomicReference<Throwable> bodyFailure) {
        boolean writerDone = true;
        if (writer != null) {
            if (bodyComplete) {
                try {
                    // the upstream answered in full; the request body normally finished long before
                    writerDone = writer.join(Duration.ofMillis(100)) && bodyFailure.get() == null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    writerDone = false;
                }
            } else {
                writerDone = false;
            }
        }
        if (bodyComplete && writerDone && head.keepAlive) {
            pool.release(c);
        } else {
            discard(c, writer);
        }
    }

    private void discard(HttpConnection c, Thread writer) {
        pool.discard(c); // closing the socket also unblocks a body writer
        if (writer != null) {
            writer.interrupt();
        }
    }

    private static void writeHead(OutputStream out, UpstreamRequest request, Endpoint endpoint) throws IOException {
        StringBuilder sb = new StringBuilder(512);
        sb.append(request.method()).append(' ').append(request.target()).append(" HTTP/1.1\r\n");
        HttpFields h = request.headers();
        boolean host = false;
        for (int i = 0; i < h.size(); i++) {
            String name = h.name(i);
            if (!host && name.equalsIgnoreCase("Host")) {
                host = true;
            }
            sb.append(name).append(": ").append(h.value(i)).append("\r\n");
        }
        if (!host) {
            sb.append("Host: ").append(endpoint.id()).append("\r\n");
        }
        switch (request.body()) {
            case RequestBody.None n -> {
                if (methodExpectsBody(request.method())) {
                    sb.append("Content-Length: 0\r\n");
                }
            }
            case RequestBody.Bytes b -> sb.append("Content-Length: ").append(b.data().length).append("\r\n");
            case RequestBody.Streamed s -> {
                if (s.length() >= 0) {
                    sb.append("Content-Length: ").append(s.length()).append("\r\n");
                } else {
                    sb.append("Transfer-Encoding: chunked\r\n");
                }
            }
        }
        sb.append("\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private static boolean methodExpectsBody(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }

    private static void writeStreamedBody(HttpConnection c, RequestBody.Streamed s, AtomicReference<Throwable> failure) {
        OutputStream out = c.out();
        byte[] buf = new byte[16 * 1024];
        ChunkedOutputStream chunked = s.length() < 0 ? new ChunkedOutputStream(out) : null;
        OutputStream target = chunked != null ? chunked : out;
        try {
            long copied = 0;
            while (true) {
                int n;
                try {
                    n = s.in().read(buf);
                } catch (IOException | RuntimeException e) {
                    throw new ClientBodyException(e);
                }
                if (n < 0) {
                    break;
                }
                target.write(buf, 0, n);
                copied += n;
            }
            if (chunked != null) {
                chunked.finish();
            } else if (copied != s.length()) {
                throw new ClientBodyException(new IOException("client body ended after " + copied + " of "
                        + s.length() + " bytes"));
            }
            out.flush();
        } catch (Throwable t) {
            failure.set(t);
            if (t instanceof ClientBodyException) {
                // the upstream got a partial request: end the exchange now rather than wait for a timeout
                c.close();
            }
        }
    }

    private static ResponseHead readHead(HttpInput in, String method) throws IOException {
        while (true) {
            String statusLine = in.readLine(MAX_HEAD_LINE);
            ResponseHead head = parseStatusLine(statusLine);
            int total = statusLine.length();
            int count = 0;
            while (true) {
                String line = in.readLine(MAX_HEAD_LINE);
                if (line.isEmpty()) {
                    break;
                }
                total += line.length();
                if (total > MAX_HEAD_BYTES || ++count > MAX_HEADERS) {
                    throw new IOException("bad response: header section too large");
                }
                int colon = line.indexOf(':');
                if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                    throw new IOException("bad response header line: '" + line + "'");
                }
                // name ends at the colon (no whitespace allowed before it); value is trimmed of OWS
                int nameEnd = colon;
                while (nameEnd > 0 && line.charAt(nameEnd - 1) <= ' ') {
                    nameEnd--;
                }
                int from = colon + 1;
                int to = line.length();
                while (from < to && line.charAt(from) <= ' ') {
                    from++;
                }
                while (to > from && line.charAt(to - 1) <= ' ') {
                    to--;
                }
                head.headers.add(line.substring(0, nameEnd), line.substring(from, to));
            }
            if (head.status >= 100 && head.status < 200) {
                if (head.status == 101) {
                    throw new IOException("bad response: protocol upgrade is not supported");
                }
                continue; // interim response (100 Continue, 103 Early Hints): wait for the final one
            }
            head.frame(method);
            return head;
        }
    }

    private static ResponseHead parseStatusLine(String line) throws IOException {
        // HTTP/1.1 200 OK
        if (line.length() < 12 || !line.startsWith("HTTP/1.") || line.charAt(8) != ' ') {
            throw new IOException("bad status line: '" + truncate(line) + "'");
        }
        int status;
        try {
            status = Integer.parseInt(line.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("bad status line: '" + truncate(line) + "'");
        }
        if (status < 100 || status > 999) {
            throw new IOException("bad status line: '" + truncate(line) + "'");
        }
        String reason = line.length() > 13 ? line.substring(13) : "";
        return new ResponseHead(line.charAt(7) == '1', status, reason);
    }

    private static String truncate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

    private static InputStream bodyStream(HttpInput in, ResponseHead head) {
        if (!head.hasBody) {
            return UpstreamResponse.emptyBody();
        }
        if (head.chunked) {
            return new ChunkedInputStream(in);
        }
        if (head.contentLength.isPresent()) {
            return new FixedLengthInputStream(in, head.contentLength.getAsLong());
        }
        return in; // read until close; never reusable
    }

    @Override
    public void close() {
        pool.close();
    }

    /** Marks a failure to read the client's body, as opposed to a failure to write upstream. */
    static final class ClientBodyException extends IOException {
        ClientBodyException(Exception cause) {
            super(cause);
        }
    }

    private static final class ResponseHead {
        final boolean http11;
        final int status;
        final String reason;
        final HttpFields headers = new HttpFields();
        OptionalLong contentLength = OptionalLong.empty();
        boolean chunked;
        boolean hasBody;
        boolean keepAlive;

        ResponseHead(boolean http11, int status, String reason) {
            this.http11 = http11;
            this.status = status;
            this.reason = reason;
        }

        void frame(String method) throws IOException {
            String te = null;
            String cl = null;
            boolean close = false;
            for (int i = 0; i < headers.size(); i++) {
                String n = headers.name(i);
                if (n.equalsIgnoreCase("Transfer-Encoding")) {
                    te = te == null ? headers.value(i) : te + "," + headers.value(i);
                } else if (n.equalsIgnoreCase("Content-Length")) {
                    if (cl != null && !cl.equals(headers.value(i))) {
                        throw new IOException("bad response: conflicting Content-Length values");
                    }
                    cl = headers.value(i);
                } else if (n.equalsIgnoreCase("Connection")) {
                    close |= headers.value(i).toLowerCase().contains("close");
                }
            }
            hasBody = !(method.equals("HEAD") || status == 204 || status == 304);
            if (te != null) {
                if (!te.toLowerCase().trim().endsWith("chunked")) {
                    throw new IOException("bad response: unsupported Transfer-Encoding '" + te + "'");
                }
                chunked = hasBody;
            } else if (cl != null) {
                try {
                    long len = Long.parseLong(cl.trim());
                    if (len < 0) {
                        throw new NumberFormatException();
                    }
                    contentLength = OptionalLong.of(len);
                } catch (NumberFormatException e) {
                    throw new IOException("bad response: Content-Length '" + cl + "'");
                }
            } else if (!hasBody) {
                contentLength = OptionalLong.of(0);
            }
            if (!hasBody) {
                contentLength = OptionalLong.of(0);
                chunked = false;
            }
            // without a length the body runs until close, so the connection cannot be kept
            keepAlive = http11 && !close && (!hasBody || chunked || contentLength.isPresent());
        }
    }
}
