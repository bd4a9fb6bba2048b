package dev.loomgate.gateway.tls;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS towards an upstream, built from {@link ClientTlsSettings}: trust (a CA bundle or the JDK's store),
 * an optional client certificate, hostname verification. Two values are equal when their settings and
 * file contents are: a routes reload that does not touch TLS keeps the upstream's pooled connections.
 */
public final class ClientTls {
    private static final Logger LOG = Logger.getLogger(ClientTls.class.getName());

    private final ClientTlsSettings settings;
    private final byte[] fingerprint;
    /** The factory of the files as last loaded, and their fingerprint; replaced when the files change. */
    private record Built(SSLSocketFactory factory, byte[] fingerprint) {
    }

    private volatile Built current;
    private volatile long nextCheckNanos;
    private final AtomicBoolean checking = new AtomicBoolean();
    /** Fingerprint of files last refused: the same broken files are reported once. */
    private byte[] rejected = new byte[0];

    private ClientTls(ClientTlsSettings settings, byte[] fingerprint, SSLSocketFactory factory) {
        this.settings = settings;
        this.fingerprint = fingerprint;
        this.current = new Built(factory, fingerprint);
        this.nextCheckNanos = System.nanoTime() + settings.reloadInterval().toNanos();
    }

    /** Reads the files and builds the context; a bad file is a config error. */
    public static ClientTls load(ClientTlsSettings s) throws TlsMaterialException {
        if (!s.verify()) {
            LOG.warning("upstream TLS with verify: false: certificates are not checked");
        }
        byte[] fingerprint = ServerTls.fingerprint(s.files());
        return new ClientTls(s, fingerprint, factory(s));
    }

    private static SSLSocketFactory factory(ClientTlsSettings s) throws TlsMaterialException {
        TrustManager[] trust = null; // null: the JDK's default trust store
        if (!s.verify()) {
            trust = new TrustManager[] {new TrustAll()};
        } else if (s.ca().isPresent()) {
            trust = trustManagers(s.ca().get());
        }
        Optional<X509ExtendedKeyManager> configured = Optional.empty();
        if (s.clientCert().isPresent()) {
            List<LoadedKey> k = KeyMaterial.load(new KeySource.Pem(s.clientCert().get(), s.clientKey().orElseThrow()),
                    List.of(), java.util.Map.of());
            configured = Optional.of(keyManager(k.getFirst()));
        }
        KeyManager[] keys = {new AskedKeyManager(configured)};
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, null);
            return ctx.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's TLS provider is missing: " + e.getMessage(), e);
        }
    }

    /**
     * A renewed CA bundle or client certificate is picked up without a restart: at most once per
     * {@code reload-interval}, the connection being made re-reads the files (one thread at a time, the others go
     * on with the current factory); changed and valid, they are used from this connection on. Connections
     * already pooled keep the certificate they were made with until they close. Broken files are logged
     * once and the previous ones stay in use.
     */
    private SSLSocketFactory factory() {
        long every = settings.reloadInterval().toNanos();
        long now = System.nanoTime();
        if (every == 0 || now - nextCheckNanos < 0 || !checking.compareAndSet(false, true)) {
            return current.factory();
        }
        try {
            nextCheckNanos = now + every;
            byte[] fp = ServerTls.fingerprint(settings.files());
            if (!Arrays.equals(fp, current.fingerprint()) && !Arrays.equals(fp, rejected)) {
                current = new Built(factory(settings), fp);
                LOG.info(() -> "upstream TLS files reloaded: " + settings.files());
            }
        } catch (TlsMaterialException e) {
            byte[] fp = e.getMessage().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (!Arrays.equals(fp, rejected)) {
                rejected = fp;
                LOG.warning(() -> "upstream TLS files NOT reloaded: " + e.getMessage()
                        + "; the previous ones stay in use");
            }
        } finally {
            checking.set(false);
        }
        return current.factory();
    }

    public ClientTlsSettings settings() {
        return settings;
    }

    /**
     * Runs the TLS handshake over a connected socket to {@code host:port}, within {@code timeoutMillis}.
     * SNI and the identity check use {@code server-name}, else {@code host} (for an IP literal: no SNI, and
     * the certificate must list the IP).
     *
     * @throws TlsHandshakeException with a reason fit for a 502 problem
     */
    public SSLSocket handshake(Socket connected, String host, int port, int timeoutMillis) throws IOException {
        String name = settings.serverName().orElse(host);
        SSLSocket ssl = (SSLSocket) factory().createSocket(connected, name, port, true);
        SSLParameters p = ssl.getSSLParameters();
        p.setProtocols(ServerTlsSettings.DEFAULT_PROTOCOLS.toArray(String[]::new));
        p.setApplicationProtocols(new String[] {"http/1.1"});
        if (settings.verify()) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!isIpLiteral(name)) {
            p.setServerNames(List.of(new SNIHostName(name)));
        }
        ssl.setSSLParameters(p);
        try {
            ssl.setSoTimeout(Math.max(1, timeoutMillis));
            ssl.startHandshake();
            ssl.setSoTimeout(0); // reads of exchanges are timed by the pool's watchdog
            return ssl;
        } catch (SocketTimeoutException e) {
            closeQuietly(ssl);
            throw e;
        } catch (IOException e) {
            closeQuietly(ssl);
            throw new TlsHandshakeException(reason(e, name), e);
        }
    }

    /**
     * Why an upstream may have dropped a fresh TLS connection before answering: with TLS 1.3 the server checks
     * the client certificate after the client's side of the handshake is done, so a refusal shows up on the
     * first write or read, not in the handshake. Empty when the server asked for no client certificate.
     */
    public static Optional<String> clientCertificateHint(Socket socket) {
        if (!(socket instanceof SSLSocket ssl) || ssl.getSession().getValue(ASKED) == null) {
            return Optional.empty();
        }
        return Optional.of(ssl.getSession().getLocalCertificates() == null
                ? "the upstream requires a client certificate and tls.client-cert is not set"
                : "the upstream asked for our client certificate and dropped the connection: it does not trust it");
    }

    private static final String ASKED = "loomgate.client-certificate-requested";

    /**
     * Notes in the handshake session that the server asked for a client certificate (for
     * {@link #clientCertificateHint}), then answers with the configured one, if any.
     */
    private static final class AskedKeyManager extends X509ExtendedKeyManager {
        private final Optional<X509ExtendedKeyManager> delegate;

        AskedKeyManager(Optional<X509ExtendedKeyManager> delegate) {
            this.delegate = delegate;
        }

        private static void asked(Socket socket) {
            if (socket instanceof SSLSocket ssl && ssl.getHandshakeSession() != null) {
                ssl.getHandshakeSession().putValue(ASKED, Boolean.TRUE);
            }
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, Socket socket) {
            asked(socket);
            return delegate.map(d -> d.chooseClientAlias(keyType, issuers, socket)).orElse(null);
        }

        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return delegate.map(d -> d.getClientAliases(keyType, issuers)).orElse(null);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate.map(d -> d.getCertificateChain(alias)).orElse(null);
        }

        @Override
        public java.security.PrivateKey getPrivateKey(String alias) {
            return delegate.map(d -> d.getPrivateKey(alias)).orElse(null);
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, Socket socket) {
            return null;
        }
    }

    /** The TLS reason of a failed handshake in a few words: untrusted, expired, name mismatch, refused. */
    static String reason(Throwable e, String name) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException x) {
                return "certificate expired (" + x.getMessage() + ")";
            }
            if (t instanceof CertificateNotYetValidException x) {
                return "certificate not yet valid (" + x.getMessage() + ")";
            }
            if (t instanceof CertPathValidatorException v && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                return "certificate expired (" + v.getMessage() + ")";
            }
            String m = String.valueOf(t.getMessage());
            if (m.contains("No subject alternative") || m.contains("No name matching")) {
                return "certificate does not match the name " + name + " (" + m + ")";
            }
            if (t.getClass().getSimpleName().equals("SunCertPathBuilderException")
                    || m.contains("unable to find valid certification path")) {
                return "certificate not trusted (no path to a trusted CA; set tls.ca)";
            }
        }
        String m = String.valueOf(e.getMessage());
        if (m.contains("certificate_required") || m.contains("bad_certificate")) {
            return "the upstream refused the handshake (" + m + "): it requires a client certificate it trusts"
                    + " (tls.client-cert)";
        }
        if (m.contains("Remote host terminated") || e instanceof java.io.EOFException) {
            return "the upstream closed the connection during the handshake (is it speaking TLS?)";
        }
        if (e instanceof SSLException && m.contains("Unsupported or unrecognized SSL message")) {
            return "the upstream does not speak TLS on this port (plain HTTP?)";
        }
        return m;
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    private static TrustManager[] trustManagers(java.nio.file.Path caFile) throws TlsMaterialException {
        List<X509Certificate> cas = KeyMaterial.certificates(caFile);
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                ks.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsMaterialException(caFile, "cannot build a trust store: " + e.getMessage(), e);
        }
    }

    private static X509ExtendedKeyManager keyManager(LoadedKey k) {
        try {
            char[] pw = new char[0];
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("client", k.key(), pw, k.chain().toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            return (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot hold a client key in memory: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // failed anyway
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientTls c && c.settings.equals(settings) && Arrays.equals(c.fingerprint, fingerprint);
    }

    @Override
    public int hashCode() {
        return settings.hashCode() * 31 + Arrays.hashCode(fingerprint);
    }

    @Override
    public String toString() {
        return "tls" + settings.serverName().map(n -> "(" + n + ")").orElse("")
                + (settings.clientCert().isPresent() ? " mtls" : "") + (settings.verify() ? "" : " verify=false");
    }

    /** Accepts every chain: {@code verify: false} only. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
