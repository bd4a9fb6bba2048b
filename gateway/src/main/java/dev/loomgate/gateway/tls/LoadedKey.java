package dev.loomgate.gateway.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One usable certificate: its chain (leaf first), the matching private key, and the host names it
 * serves (configured, else the leaf's DNS subject alternative names).
 *
 * @param origin the file it came from, for logs
 */
public record LoadedKey(List<X509Certificate> chain, PrivateKey key, List<String> names, String origin) {
    public LoadedKey {
        chain = List.copyOf(chain);
        names = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
    }

    public X509Certificate leaf() {
        return chain.getFirst();
    }

    /** {@code RSA}, {@code EC}, {@code EdDSA}...: what the JDK's key managers compare with a key type. */
    public String keyType() {
        return key.getAlgorithm();
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    /**
     * Whether this certificate serves {@code host} (lower-case): an exact name, or {@code *.example.com}
     * for exactly one label more (RFC 6125 §6.4.3: the wildcard never spans a dot).
     */
    public boolean serves(String host) {
        for (String n : names) {
            if (n.equals(host)) {
                return true;
            }
            if (n.startsWith("*.")) {
                int dot = host.indexOf('.');
                if (dot > 0 && host.substring(dot).equals(n.substring(1))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Subject and expiry, for the log. */
    public String describe() {
        return leaf().getSubjectX500Principal().getName() + " (" + keyType() + ", names " + names + ", expires "
                + notAfter() + ", from " + origin + ")";
    }
}
