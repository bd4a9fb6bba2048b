package dev.loomgate.gateway.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS towards one upstream ({@code tls:} of an upstream in routes.yaml).
 *
 * @param ca          PEM bundle of the CAs to trust; empty = the JDK's trust store
 * @param clientCert  PEM chain presented for mutual TLS (with {@code clientKey})
 * @param clientKey   PKCS#8 key of {@code clientCert}
 * @param serverName  the name sent as SNI and checked against the certificate; empty = the endpoint's host
 * @param verify      whether the chain and the name are checked (false only for tests and labs: anyone on
 *                    the path can then read and change the traffic)
 * @param reloadInterval the files are re-read at most this often, when a new connection is made; zero = never
 */
public record ClientTlsSettings(Optional<Path> ca, Optional<Path> clientCert, Optional<Path> clientKey,
                                Optional<String> serverName, boolean verify, Duration reloadInterval) {
    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(5);

    public ClientTlsSettings {
        Objects.requireNonNull(reloadInterval, "reloadInterval");
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(clientCert, "clientCert");
        Objects.requireNonNull(clientKey, "clientKey");
        Objects.requireNonNull(serverName, "serverName");
        if (clientCert.isPresent() != clientKey.isPresent()) {
            throw new IllegalArgumentException("client-cert and client-key go together");
        }
    }

    /** The JDK's trust store, hostname verification on, no client certificate. */
    public static ClientTlsSettings defaults() {
        return new ClientTlsSettings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), true,
                DEFAULT_RELOAD_INTERVAL);
    }

    public List<Path> files() {
        return java.util.stream.Stream.of(ca, clientCert, clientKey).flatMap(Optional::stream).toList();
    }
}
