package dev.loomgate.gateway.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The TLS side of a listener: the current certificates (chosen by SNI) in an immutable snapshot that a
 * reload replaces atomically. A reload reads every file, and only when their bytes changed builds a new
 * SSLContext; a file that fails (missing, unparsable, key not matching its certificate) is logged with
 * the file and the reason and the previous certificates keep serving. A new SSLContext (not just new keys)
 * also means a new session cache, so a client resuming a session made before the swap gets a full
 * handshake and sees the new certificate.
 */
public final class ServerTls implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ServerTls.class.getName());

    static {
        // TLS 1.2 renegotiation started by a client costs the server a full handshake for every request of it
        // (a cheap CPU attack) and no HTTP/1.1 client needs it; TLS 1.3 has none. Read by the JDK at its first
        // server handshake, which comes after this class is loaded. An explicit -D setting wins.
        if (System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation") == null) {
            System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
        }
    }

    /** One generation of key material and what the handshakes use. */
    private record Snapshot(SniKeyManager keys, SSLSocketFactory factory, SSLParameters parameters, byte[] fingerprint,
                            long generation) {
    }

    private final String listener;
    private final ServerTlsSettings settings;
    private final Map<String, String> env;
    private volatile Snapshot current;
    /** The snapshot before the current one: a handshake that chose its alias just before a swap still finds it. */
    private volatile Snapshot previous;
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong rejectedReloads = new AtomicLong();
    private final AtomicLong handshakeFailures = new AtomicLong();
    private volatile Optional<String> lastRejection = Optional.empty();
    /** Fingerprint of the files last rejected: the same broken files are reported once, not every poll. */
    private byte[] rejectedFingerprint = new byte[0];
    private Thread watcher;
    private volatile boolean closed;

    private ServerTls(String listener, ServerTlsSettings settings, Map<String, String> env, Snapshot first) {
        this.listener = listener;
        this.settings = settings;
        this.env = env;
        this.current = first;
    }

    /**
     * Loads the key material; a node does not start when this fails.
     *
     * @param listener {@code front-door} or {@code admin}, for logs and metrics
     */
    public static ServerTls load(String listener, ServerTlsSettings settings) throws TlsMaterialException {
        return load(listener, settings, System.getenv());
    }

    public static ServerTls load(String listener, ServerTlsSettings settings, Map<String, String> env)
            throws TlsMaterialException {
        byte[] fingerprint = fingerprint(settings.files());
        ServerTls tls = new ServerTls(listener, settings, env, build(settings, env, fingerprint, 0));
        tls.logLoaded("loaded");
        return tls;
    }

    /** Checks that every certificate of {@code settings} loads (the config parser's check). */
    public static void check(ServerTlsSettings settings, Map<String, String> env) throws TlsMaterialException {
        build(settings, env, new byte[0], 0);
    }

    private static Snapshot build(ServerTlsSettings s, Map<String, String> env, byte[] fingerprint, long generation)
            throws TlsMaterialException {
        List<LoadedKey> keys = new ArrayList<>();
        for (CertificateSpec c : s.certificates()) {
            keys.addAll(KeyMaterial.load(c.source(), c.serverNames(), env));
        }
        SniKeyManager km = new SniKeyManager(keys);
        SSLContext ctx = context(km);
        return new Snapshot(km, ctx.getSocketFactory(), parameters(s), fingerprint, generation);
    }

    static SSLContext context(KeyManager km) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(new KeyManager[] {km}, null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's TLS provider is missing: " + e.getMessage(), e);
        }
    }

    /** Protocols, suites in server order, ALPN; no client certificates. */
    static SSLParameters parameters(ServerTlsSettings s) {
        SSLParameters p = new SSLParameters();
        p.setProtocols(s.protocols().toArray(String[]::new));
        p.setCipherSuites(s.cipherSuites().toArray(String[]::new));
        p.setUseCipherSuitesOrder(true);
        p.setApplicationProtocols(s.applicationProtocols().toArray(String[]::new));
        p.setNeedClientAuth(false);
        return p;
    }

    /** The suites of {@code suites} this JDK does not know (a config error). */
    public static List<String> unsupportedCipherSuites(List<String> suites) {
        try {
            List<String> known = Arrays.asList(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
            return suites.stream().filter(x -> !known.contains(x)).toList();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK's TLS provider is missing", e);
        }
    }

    /**
     * A server-mode TLS socket over an accepted connection, with the current certificates. No bytes are
     * read or written here: the handshake runs on the connection's own thread (see the front door).
     */
    public SSLSocket wrap(Socket accepted) throws IOException {
        Snapshot s = current;
        SSLSocket ssl = (SSLSocket) s.factory().createSocket(accepted, null, true);
        ssl.setSSLParameters(s.parameters());
        return ssl;
    }

    /**
     * An SSLContext whose key manager always uses the current certificates, for a server that keeps one
     * SSLContext for its life (the admin port, on Helidon). Its session cache survives reloads, so a
     * resumed session may still show the certificate it was made with until it expires.
     */
    public SSLContext followingContext() {
        return context(new Following());
    }

    /** SNI choice on the current snapshot; aliases carry the generation they were chosen in. */
    private final class Following extends X509ExtendedKeyManager {
        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            Snapshot s = current;
            return tag(s, s.keys().chooseServerAlias(keyType, issuers, socket));
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            Snapshot s = current;
            return tag(s, s.keys().chooseEngineServerAlias(keyType, issuers, engine));
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            Snapshot s = current;
            String[] a = s.keys().getServerAliases(keyType, issuers);
            return a == null ? null : Arrays.stream(a).map(x -> tag(s, x)).toArray(String[]::new);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return resolve(alias).map(r -> r.keys().getCertificateChain(r.alias())).orElse(null);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return resolve(alias).map(r -> r.keys().getPrivateKey(r.alias())).orElse(null);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        private static String tag(Snapshot s, String alias) {
            return alias == null ? null : s.generation() + "/" + alias;
        }

        private record Resolved(SniKeyManager keys, String alias) {
        }

        private Optional<Resolved> resolve(String alias) {
            int slash = alias == null ? -1 : alias.indexOf('/');
            if (slash < 0) {
                return Optional.empty();
            }
            String generation = alias.substring(0, slash);
            for (Snapshot s : new Snapshot[] {current, previous}) {
                if (s != null && Long.toString(s.generation()).equals(generation)) {
                    return Optional.of(new Resolved(s.keys(), alias.substring(slash + 1)));
                }
            }
            return Optional.empty();
        }
    }

    /** The certificates being served now. */
    public List<LoadedKey> certificates() {
        return current.keys().keys();
    }

    public String listener() {
        return listener;
    }

    public ServerTlsSettings settings() {
        return settings;
    }

    /** Successful reloads since start. */
    public long reloads() {
        return reloads.get();
    }

    /** Reloads refused (bad files; the previous certificates kept serving). */
    public long rejectedReloads() {
        return rejectedReloads.get();
    }

    /** Why the last reload was refused, until a later one succeeds. */
    public Optional<String> lastRejection() {
        return lastRejection;
    }

    /** Called by the listener for each handshake that failed or timed out. */
    public void handshakeFailed() {
        handshakeFailures.incrementAndGet();
    }

    public long handshakeFailures() {
        return handshakeFailures.get();
    }

    /**
     * Re-reads the files; builds and swaps in new certificates when their bytes changed.
     *
     * @return whether the certificates were replaced
     */
    public synchronized boolean reloadIfChanged() {
        byte[] fingerprint;
        try {
            fingerprint = fingerprint(settings.files());
        } catch (TlsMaterialException e) {
            // an unreadable file: its message stands in for the contents, so it is reported once until it changes
            reject(e.getMessage().getBytes(java.nio.charset.StandardCharsets.UTF_8), e);
            return false;
        }
        if (Arrays.equals(fingerprint, current.fingerprint()) || Arrays.equals(fingerprint, rejectedFingerprint)) {
            return false;
        }
        try {
            Snapshot next = build(settings, env, fingerprint, current.generation() + 1);
            previous = current;
            current = next;
        } catch (TlsMaterialException e) {
            reject(fingerprint, e);
            return false;
        }
        rejectedFingerprint = new byte[0];
        lastRejection = Optional.empty();
        reloads.incrementAndGet();
        logLoaded("reloaded");
        return true;
    }

    private void reject(byte[] fingerprint, TlsMaterialException e) {
        if (Arrays.equals(fingerprint, rejectedFingerprint)) {
            return;
        }
        rejectedFingerprint = fingerprint;
        rejectedReloads.incrementAndGet();
        String why = e.file() + ": " + e.reason();
        lastRejection = Optional.of(why);
        LOG.warning(() -> "TLS certificates of " + listener + " NOT reloaded: " + why
                + "; the previous certificates keep serving");
    }

    /** Starts polling the files every {@code reload-interval} (no-op when it is zero). */
    public void startWatching() {
        Duration every = settings.reloadInterval();
        if (every.isZero() || watcher != null) {
            return;
        }
        watcher = Thread.ofVirtual().name("loomgate-tls-reload-" + listener).start(() -> {
            while (!closed) {
                try {
                    Thread.sleep(every);
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    reloadIfChanged();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "TLS reload of " + listener + " failed", e);
                }
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        if (watcher != null) {
            watcher.interrupt();
        }
    }

    private void logLoaded(String what) {
        Instant now = Instant.now();
        for (LoadedKey k : current.keys().keys()) {
            if (k.notAfter().isBefore(now) || k.leaf().getNotBefore().toInstant().isAfter(now)) {
                LOG.warning(() -> "TLS certificate of " + listener + " is outside its validity period: " + k.describe());
            } else {
                LOG.info(() -> "TLS certificate of " + listener + " " + what + ": " + k.describe());
            }
        }
    }

    static byte[] fingerprint(List<Path> files) throws TlsMaterialException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (Path f : files) {
                byte[] b = KeyMaterial.read(f);
                d.update(f.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                d.update(longBytes(b.length));
                d.update(b);
            }
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }

    private static byte[] longBytes(long v) {
        return java.nio.ByteBuffer.allocate(8).putLong(v).array();
    }
}
