package dev.loomgate.gateway.tls;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * TLS of a listener (the proxy port or the admin port).
 *
 * @param certificates         the first is the default (clients without SNI or with an unknown name)
 * @param protocols            enabled protocol versions: TLSv1.3 and/or TLSv1.2
 * @param cipherSuites         enabled suites, in server preference order
 * @param applicationProtocols ALPN protocols offered ({@code http/1.1})
 * @param reloadInterval       how often the files are checked for changes; zero = never
 */
public record ServerTlsSettings(List<CertificateSpec> certificates, List<String> protocols, List<String> cipherSuites,
                                List<String> applicationProtocols, Duration reloadInterval) {
    /** TLS 1.2 and 1.3 only: 1.0 and 1.1 are deprecated (RFC 8996). */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /**
     * Mozilla's "intermediate" list: TLS 1.3 suites, then TLS 1.2 with forward secrecy (ECDHE) and AEAD
     * ciphers only; no CBC, no RSA key exchange, no SHA-1 MACs.
     */
    public static final List<String> DEFAULT_CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    /** HTTP/1.1 only for now; {@code h2} joins this list when the front door speaks it. */
    public static final List<String> DEFAULT_APPLICATION_PROTOCOLS = List.of("http/1.1");
    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(5);
    public static final List<String> SUPPORTED_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public ServerTlsSettings {
        certificates = List.copyOf(certificates);
        protocols = List.copyOf(protocols);
        cipherSuites = List.copyOf(cipherSuites);
        applicationProtocols = List.copyOf(applicationProtocols);
        Objects.requireNonNull(reloadInterval, "reloadInterval");
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("at least one certificate is required");
        }
        if (protocols.isEmpty() || !SUPPORTED_PROTOCOLS.containsAll(protocols)) {
            throw new IllegalArgumentException("protocols must be TLSv1.3 and/or TLSv1.2, got " + protocols);
        }
        if (cipherSuites.isEmpty()) {
            throw new IllegalArgumentException("at least one cipher suite is required");
        }
        if (reloadInterval.isNegative()) {
            throw new IllegalArgumentException("reload-interval must not be negative");
        }
    }

    /** Defaults for everything but the certificates. */
    public static ServerTlsSettings of(List<CertificateSpec> certificates) {
        return new ServerTlsSettings(certificates, DEFAULT_PROTOCOLS, DEFAULT_CIPHER_SUITES,
                DEFAULT_APPLICATION_PROTOCOLS, DEFAULT_RELOAD_INTERVAL);
    }

    public ServerTlsSettings withReloadInterval(Duration interval) {
        return new ServerTlsSettings(certificates, protocols, cipherSuites, applicationProtocols, interval);
    }

    /** Every file the certificates are read from. */
    public List<java.nio.file.Path> files() {
        return certificates.stream().flatMap(c -> c.source().files().stream()).toList();
    }
}
