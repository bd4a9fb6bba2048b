package dev.loomgate.gateway.tls;

import java.util.List;
import java.util.Objects;

/**
 * One configured certificate of a listener.
 *
 * @param serverNames host names it serves (exact or {@code *.example.com}); empty = the certificate's DNS names
 */
public record CertificateSpec(KeySource source, List<String> serverNames) {
    public CertificateSpec {
        Objects.requireNonNull(source, "source");
        serverNames = List.copyOf(serverNames);
    }
}
