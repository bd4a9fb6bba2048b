package dev.loomgate.gateway.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import dev.loomgate.gateway.tls.KeyMaterial;
import dev.loomgate.gateway.tls.KeySource;
import dev.loomgate.gateway.tls.LoadedKey;

/**
 * A real HTTPS upstream on loopback (plain JDK SSLServerSocket): keep-alive HTTP/1.1, answers every GET
 * with 200 and the subject of the client certificate (or {@code anonymous}); with a client CA it requires a
 * client certificate signed by it and refuses the handshake without one.
 */
public final class TlsTestUpstream implements AutoCloseable {
    private final SSLServerSocket server;
    private final Thread acceptor;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger handshakesFailed = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** Answer with {@code Connection: close} and close: every request comes on a new connection. */
    private final boolean closeEach;

    private TlsTestUpstream(SSLServerSocket server, boolean closeEach) {
        this.server = server;
        this.closeEach = closeEach;
        this.acceptor = Thread.ofVirtual().name("tls-test-upstream").start(this::accept);
    }

    /** @param clientCa when present, a client certificate signed by this CA is required */
    public static TlsTestUpstream start(TestPki.Leaf leaf, Optional<java.nio.file.Path> clientCa) throws Exception {
        return start(leaf, clientCa, false);
    }

    /** @param closeEach one request per connection (each one a new handshake) */
    public static TlsTestUpstream start(TestPki.Leaf leaf, Optional<java.nio.file.Path> clientCa, boolean closeEach)
            throws Exception {
        LoadedKey key = KeyMaterial.load(new KeySource.Pem(leaf.chain(), leaf.key()), List.of(), java.util.Map.of())
                .getFirst();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", key.key(), new char[0], key.chain().toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        TrustManagerFactory tmf = null;
        if (clientCa.isPresent()) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", KeyMaterial.certificates(clientCa.get()).getFirst());
            tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
        s.setNeedClientAuth(clientCa.isPresent());
        return new TlsTestUpstream(s, closeEach);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** TCP connections accepted: with pooling, one serves many requests. */
    public int connections() {
        return connections.get();
    }

    /** Requests answered. */
    public int requests() {
        return requests.get();
    }

    public int handshakesFailed() {
        return handshakesFailed.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                open.add(s);
                Thread.ofVirtual().start(() -> serve((SSLSocket) s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SSLSocket s) {
        try (s) {
            try {
                s.startHandshake();
            } catch (IOException e) {
                handshakesFailed.incrementAndGet();
                return;
            }
            String who;
            try {
                who = ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
            } catch (SSLPeerUnverifiedException e) {
                who = "anonymous";
            }
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (readHead(in)) {
                requests.incrementAndGet();
                byte[] body = ("client=" + who).getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                        + (closeEach ? "\r\nConnection: close" : "") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                if (closeEach) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away, or the handshake was refused after the fact (TLS 1.3 client auth)
        } finally {
            open.remove(s);
        }
    }

    /** Reads a request head (GET, no body); false at end of stream. */
    private static boolean readHead(InputStream in) throws IOException {
        int state = 0;
        int b;
        boolean any = false;
        while ((b = in.read()) >= 0) {
            any = true;
            state = switch (state) {
                case 0, 2 -> b == '\r' ? state + 1 : 0;
                case 1 -> b == '\n' ? 2 : 0;
                case 3 -> b == '\n' ? 4 : 0;
                default -> 0;
            };
            if (state == 4) {
                return true;
            }
        }
        if (any) {
            throw new IOException("cut in the head");
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
