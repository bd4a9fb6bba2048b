package dev.loomgate.gateway.testing;

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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.loomgate.gateway.upstream.Endpoint;

/**
 * A real HTTP/1.1 upstream on loopback that can misbehave on command (hang, reset, answer
 * slowly or with a status, stream huge bodies, echo). Written over raw sockets so tests control
 * every byte; it records each request it received.
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

    public List<Received> received() {
        return received;
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
                CountingStream counted = new CountingStream(body);
                boolean keep = behavior.respond(new Request(parts[0], parts[1], headers, counted), out);
                counted.transferTo(OutputStream.nullOutputStream());
                out.flush();
                received.add(new Received(parts[0], parts[1], headers, counted.count, connectionId));
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

    private static final class CountingStream extends InputStream {
        private final InputStream in;
        long count;

        CountingStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
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
