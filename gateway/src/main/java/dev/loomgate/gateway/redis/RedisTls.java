package dev.loomgate.gateway.redis;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS towards Redis (and the sentinels). {@code tls: true} trusts the JVM's default CAs; the map form trusts a private
 * CA and may present a client certificate (Redis {@code tls-auth-clients yes}):
 * <pre>
 * tls:
 *   enabled: true             # default true when the map is given
 *   ca-file: /etc/loomgate/redis-ca.pem
 *   server-name: redis.internal  # optional: the name checked in the certificate (and sent as SNI) instead of the
 *                                #           address Sentinel hands out
 *   client-cert: /etc/loomgate/redis-client.pem   # optional, PEM chain; needs client-key
 *   client-key: /etc/loomgate/redis-client.key    # optional, PEM PKCS#8 (openssl genpkey's format)
 * </pre>
 * The server's certificate is always checked against the host name (or IP) dialled, or against {@code server-name}.
 */
public record RedisTls(boolean enabled, Optional<Path> caFile, Optional<String> serverName, Optional<Path> clientCert,
                       Optional<Path> clientKey) {

    /** Plain text. */
    public static final RedisTls OFF = new RedisTls(false, Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty());
    /** TLS trusting the JVM's default CAs. */
    public static final RedisTls JVM_DEFAULT = new RedisTls(true, Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty());
    /** Keys of the map form of {@code redis.tls}. */
    public static final List<String> KEYS = List.of("enabled", "ca-file", "server-name", "client-cert", "client-key");

    public RedisTls {
        caFile = caFile == null ? Optional.empty() : caFile;
        serverName = serverName == null ? Optional.empty() : serverName;
        clientCert = clientCert == null ? Optional.empty() : clientCert;
        clientKey = clientKey == null ? Optional.empty() : clientKey;
        if (clientCert.isPresent() != clientKey.isPresent()) {
            throw new IllegalArgumentException("tls.client-cert: client-cert and client-key go together");
        }
        if (serverName.isPresent() && serverName.get().isBlank()) {
            throw new IllegalArgumentException("tls.server-name: must not be blank");
        }
    }

    /**
     * Parses {@code redis.tls}: a boolean or a map. Relative file paths resolve against {@code baseDir}; the files are
     * read once here so that a missing or broken file is a config error rather than a failure at the first connect.
     */
    static RedisTls parse(Object value, String field, Path baseDir) {
        if (value == null) {
            return OFF;
        }
        if (value instanceof Boolean b) {
            return b ? JVM_DEFAULT : OFF;
        }
        if (!(value instanceof Map<?, ?> raw)) {
            throw TreeValues.error(field, "expected true, false or a map with " + KEYS + ", got "
                    + TreeValues.describe(value));
        }
        @SuppressWarnings("unchecked")
        Map<String, ?> map = (Map<String, ?>) raw;
        String p = field + ".";
        TreeValues.rejectUnknownKeys(map, p, KEYS);
        boolean enabled = TreeValues.bool(map, "enabled", p + "enabled").orElse(true);
        Optional<Path> ca = file(map, "ca-file", p, baseDir);
        Optional<String> serverName = TreeValues.string(map, "server-name", p + "server-name");
        if (serverName.isPresent() && serverName.get().isBlank()) {
            throw TreeValues.error(p + "server-name", "must not be blank");
        }
        Optional<Path> cert = file(map, "client-cert", p, baseDir);
        Optional<Path> key = file(map, "client-key", p, baseDir);
        if (cert.isPresent() != key.isPresent()) {
            throw TreeValues.error(p + (cert.isPresent() ? "client-key" : "client-cert"),
                    "client-cert and client-key go together");
        }
        RedisTls tls = new RedisTls(enabled, ca, serverName, cert, key);
        if (enabled) {
            // trust first, then the client key pair, so that the error names the field whose file is bad
            try {
                new RedisTls(true, ca, Optional.empty(), Optional.empty(), Optional.empty()).socketFactory();
            } catch (IllegalArgumentException e) {
                throw TreeValues.error(ca.isPresent() ? p + "ca-file" : field, e.getMessage());
            }
            try {
                tls.socketFactory();
            } catch (IllegalArgumentException e) {
                throw TreeValues.error(p + "client-cert", e.getMessage());
            }
        }
        return tls;
    }

    private static Optional<Path> file(Map<String, ?> map, String key, String p, Path baseDir) {
        Optional<String> text = TreeValues.string(map, key, p + key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Path path;
        try {
            path = baseDir.resolve(text.get());
        } catch (java.nio.file.InvalidPathException e) {
            throw TreeValues.error(p + key, "not a valid path: " + e.getReason());
        }
        if (!Files.isReadable(path)) {
            throw TreeValues.error(p + key, "cannot read " + path);
        }
        return Optional.of(path);
    }

    /**
     * The socket factory for Jedis: the configured trust and key material, and with {@code server-name} the name
     * handed to the TLS layer in place of the dialled address (so that SNI and the certificate check use it).
     */
    public SSLSocketFactory socketFactory() {
        try {
            TrustManagerFactory tmf = null;
            if (caFile.isPresent()) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (Certificate c : certificates(caFile.get())) {
                    trust.setCertificateEntry("redis-ca-" + i++, c);
                }
                if (i == 0) {
                    throw new IllegalArgumentException("ca-file " + caFile.get() + " holds no certificate");
                }
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
            }
            KeyManagerFactory kmf = null;
            if (clientCert.isPresent()) {
                char[] pass = new char[0];
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                Collection<? extends Certificate> chain = certificates(clientCert.get());
                if (chain.isEmpty()) {
                    throw new IllegalArgumentException("client-cert " + clientCert.get() + " holds no certificate");
                }
                keys.setKeyEntry("client", privateKey(clientKey.orElseThrow()), pass, chain.toArray(Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, pass);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            SSLSocketFactory factory = ctx.getSocketFactory();
            return serverName.<SSLSocketFactory>map(name -> new ServerNameSocketFactory(factory, name)).orElse(factory);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load TLS material: " + e.getMessage(), e);
        }
    }

    /** Hostname verification on: the JDK checks the certificate against the dialled (or server-) name. */
    public SSLParameters sslParameters() {
        SSLParameters params = new SSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        return params;
    }

    private static Collection<? extends Certificate> certificates(Path file) throws IOException,
            GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }

    private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("client-key " + file
                    + ": expected a PEM PKCS#8 key (BEGIN PRIVATE KEY; convert with openssl pkcs8 -topk8 -nocrypt)");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (java.security.spec.InvalidKeySpecException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("client-key " + file + ": not an EC, RSA or Ed25519 key");
    }

    @Override
    public String toString() {
        if (!enabled) {
            return "off";
        }
        return "on" + caFile.map(f -> ", ca-file=" + f).orElse("") + serverName.map(n -> ", server-name=" + n)
                .orElse("") + clientCert.map(c -> ", client-cert=" + c).orElse("");
    }

    /** Passes the configured server name to the TLS layer instead of the address Jedis dialled. */
    private static final class ServerNameSocketFactory extends SSLSocketFactory {
        private final SSLSocketFactory delegate;
        private final String serverName;

        ServerNameSocketFactory(SSLSocketFactory delegate, String serverName) {
            this.delegate = delegate;
            this.serverName = serverName;
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return delegate.createSocket(s, serverName, port, autoClose);
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return delegate.createSocket(host, port);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return delegate.createSocket(host, port, localHost, localPort);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return delegate.createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return delegate.createSocket(address, port, localAddress, localPort);
        }
    }
}
