package dev.loomgate.gateway.testing;

import dev.loomgate.testsupport.Await;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.loomgate.gateway.upstream.Endpoint;

/**
 * A real HTTP/1.1 upstream on loopback that can misbehave on command (hang, reset, answer
 * slowly or with a status, stream huge bodies, echo). Written over raw sockets so tests control
 * every byte.
 *
 * <p>It records each request it received (head and body size) before it sends the first byte of the
 * answer: when a behaviour writes its first byte, the fixture first reads whatever of the body is still
 * on the wire, records the request, and only then lets the byte out. So a client that got a response
 * can rely on the request being in {@link #received()}. Full-duplex behaviours ({@link Behavior#fullDuplex()},
 * e.g. {@link Behaviors#echo()}) answer while the body still streams in; they are recorded when the body
 * ends, which is still before the response ends. Tests that wait for requests they did not get an
 * answer to (a hung upstream, a health check) use {@link #awaitReceived}.
 */
public final class TestUpstream implements AutoCloseable {
    /** A request as received: head fields and the body's size. */
    public record Received(String method, String target, Map<String, List<String>> headers, long bodyBytes,
                           int connectionId) {
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : String.join(", ", v);
        }
    }

    /** What to do with a request whose head was read; the body has not been read yet. */
    @FunctionalInterface
    public interface Behavior {
        /** @return false to close the connection afterwards */
        boolean respond(Request request, OutputStream out) throws IOException;

        /** Whether it answers while the request body still arrives (then the body is not read before the answer). */
        default boolean fullDuplex() {
            return false;
        }
    }

    /** A request being handled: its head, and its body still on the wire. */
    public record Request(String method, String target, Map<String, List<String>> headers, InputStream body) {
        public long drainBody() throws IOException {
            return body.transferTo(OutputStream.nullOutputStream());
        }
    }

    private final String name;
    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Object receivedChanged = new Object();
    private final AtomicInteger connections = new AtomicInteger();
    private final Map<Socket, Boolean> open = new ConcurrentHashMap<>();
    private volatile Behavior behavior;

    private TestUpstream(String name) throws IOException {
        this.name = name;
        this.server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        this.behavior = Behaviors.ok(name);
        this.acceptor = Thread.ofVirtual().name("test-upstream-" + name).start(this::acceptLoop);
    }

    public static TestUpstream start(String name) throws IOException {
        return new TestUpstream(name);
    }

    public String name() {
        return name;
    }

    public int port() {
        return server.getLocalPort();
    }

    public Endpoint endpoint() {
        return new Endpoint("127.0.0.1", port(), 1);
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    public TestUpstream behave(Behavior b) {
        this.behavior = b;
        return this;
    }

    /** The requests recorded so far (each one before its answer's first byte), oldest first. */
    public List<Received> received() {
        return received;
    }

    /**
     * Waits until at least {@code n} requests were received and returns them all (a snapshot), for
     * requests whose answer the test did not read, or read through a path that does not imply it (another
     * node, a background check).
     */
    public List<Received> awaitReceived(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (receivedChanged) {
            while (received.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for upstream '" + name
                            + "' to receive " + n + " request(s); it received " + received.size() + ": " + received);
                }
                TimeUnit.NANOSECONDS.timedWait(receivedChanged, left);
            }
            return List.copyOf(received);
        }
    }

    /** {@link #awaitReceived(int, Duration)} with {@link Await#DEFAULT}. */
    public List<Received> awaitReceived(int n) throws InterruptedException {
        return awaitReceived(n, Await.DEFAULT);
    }

    /** Waits until the upstream has closed every connection it accepted (it answered with "close" or was told to). */
    public void awaitNoOpenConnections() {
        Await.until("upstream '" + name + "' to close its connections (open: " + open.size() + ")", open::isEmpty);
    }

    public int requestCount() {
        return received.size();
    }

    /** TCP connections accepted so far. */
    public int connectionsAccepted() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                int id = connections.incrementAndGet();
                open.put(s, true);
                Thread.ofVirtual().start(() -> serve(s, id));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int connectionId) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = new BufferedOutputStream(s.getOutputStream());
            while (true) {
                String line = readLine(in);
                if (line == null) {
                    return;
                }
                if (line.isEmpty()) {
                    continue;
                }
                String[] parts = line.split(" ");
                Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
                String h;
                while ((h = readLine(in)) != null && !h.isEmpty()) {
                    int c = h.indexOf(':');
                    headers.computeIfAbsent(h.substring(0, c).trim().toLowerCase(Locale.ROOT), k -> new java.util.ArrayList<>())
                            .add(h.substring(c + 1).trim());
                }
                InputStream body = bodyOf(in, headers);
                Recording recording = new Recording(parts[0], parts[1], headers, connectionId, body);
                if (body instanceof Bounded bounded && bounded.left == 0) {
                    recording.record(); // no body: the request is whole once its head is read
                }
                Behavior b = behavior;
                OutputStream answer = b.fullDuplex() ? recording.recordingOnBodyEnd(out) : recording.recordingFirst(out);
                boolean keep = b.respond(new Request(parts[0], parts[1], headers, recording.body), answer);
                recording.record(); // a behaviour that neither read the body nor answered
                out.flush();
                if (!keep) {
                    return;
                }
            }
        } catch (IOException ignored) {
            // peer went away
        } finally {
            open.remove(s);
        }
    }

    private void record(Received r) {
        synchronized (receivedChanged) {
            received.add(r);
            receivedChanged.notifyAll();
        }
    }

    /** One request on its way in: recorded once, with the body bytes read, before any answer byte. */
    private final class Recording {
        private final String method;
        private final String target;
        private final Map<String, List<String>> headers;
        private final int connectionId;
        private final CountingStream body;
        private boolean recorded;

        Recording(String method, String target, Map<String, List<String>> headers, int connectionId, InputStream body) {
            this.method = method;
            this.target = target;
            this.headers = headers;
            this.connectionId = connectionId;
            this.body = new CountingStream(body, this::recordQuietly);
        }

        /** Reads the rest of the body (unless it already ended) and records the request, once. */
        void record() throws IOException {
            if (recorded) {
                return;
            }
            body.transferTo(OutputStream.nullOutputStream()); // records at the body's end
            recordQuietly();
        }

        private void recordQuietly() {
            if (!recorded) {
                recorded = true;
                TestUpstream.this.record(new Received(method, target, headers, body.count, connectionId));
            }
        }

        /** The answer stream: the request is read whole and recorded before its first byte passes. */
        OutputStream recordingFirst(OutputStream out) {
            return new java.io.FilterOutputStream(out) {
                @Override
                public void write(int b) throws IOException {
                    record();
                    out.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    record();
                    out.write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    record();
                    out.flush();
                }
            };
        }

        /** Full duplex: the answer flows at once; the request is recorded when its body ends. */
        OutputStream recordingOnBodyEnd(OutputStream out) {
            return out;
        }
    }

    private static InputStream bodyOf(InputStream in, Map<String, List<String>> headers) {
        List<String> te = headers.get("transfer-encoding");
        if (te != null && String.join(",", te).toLowerCase(Locale.ROOT).contains("chunked")) {
            return new Chunked(in);
        }
        List<String> cl = headers.get("content-length");
        long len = cl == null ? 0 : Long.parseLong(cl.getFirst());
        return new Bounded(in, len);
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
        }
        return null;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open.keySet()) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        acceptor.interrupt();
    }

    /** Counts the body bytes read and runs {@code atEnd} when the body ended. */
    private static final class CountingStream extends InputStream {
        private final InputStream in;
        private final Runnable atEnd;
        long count;

        CountingStream(InputStream in, Runnable atEnd) {
            this.in = in;
            this.atEnd = atEnd;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            } else {
                atEnd.run();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
            } else if (n < 0) {
                atEnd.run();
            }
            return n;
        }
    }

    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long left) {
            this.in = in;
            this.left = left;
        }

        @Override
        public int read() throws IOException {
            if (left == 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    private static final class Chunked extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        Chunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = readLine(in);
                left = Long.parseLong(size.split(";")[0].trim(), 16);
                if (left == 0) {
                    String t;
                    while ((t = readLine(in)) != null && !t.isEmpty()) {
                        // trailers ignored
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            left -= n;
            if (left == 0) {
                readLine(in);
            }
            return n;
        }
    }
}
