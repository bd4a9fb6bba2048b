package dev.loomgate.gateway.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Chooses the server certificate by the name the client asked for (SNI): the certificates that serve
 * that name, else the default (the first one configured). Immutable: a reload builds a new one (and a
 * new SSLContext). The JDK asks once per key type it can use, in the client's order of preference;
 * when some certificate serves the name, only those are offered, so a client that prefers EC never gets
 * the default EC certificate of another name instead of the named RSA one.
 */
public final class SniKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "cert-";
    private final List<LoadedKey> keys;

    /** @param keys in configured order; the first is the default */
    public SniKeyManager(List<LoadedKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one certificate is required");
        }
        this.keys = List.copyOf(keys);
    }

    public List<LoadedKey> keys() {
        return keys;
    }

    /**
     * The alias of the certificate for {@code host} and {@code keyType}, or empty when none fits
     * (the JDK then tries the client's next key type).
     */
    public Optional<String> choose(String keyType, Optional<String> host) {
        if (host.isPresent()) {
            boolean named = false;
            for (int i = 0; i < keys.size(); i++) {
                LoadedKey k = keys.get(i);
                if (k.serves(host.get())) {
                    named = true;
                    if (k.keyType().equals(keyType)) {
                        return Optional.of(ALIAS + i);
                    }
                }
            }
            if (named) {
                return Optional.empty();
            }
        }
        // the default: the first certificate; another of the same names with this key type after it
        LoadedKey first = keys.getFirst();
        for (int i = 0; i < keys.size(); i++) {
            LoadedKey k = keys.get(i);
            if (k.keyType().equals(keyType) && (i == 0 || k.names().equals(first.names()))) {
                return Optional.of(ALIAS + i);
            }
        }
        return Optional.empty();
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        SSLSession s = socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : null;
        return choose(keyType, requestedHost(s)).orElse(null);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return choose(keyType, requestedHost(engine == null ? null : engine.getHandshakeSession())).orElse(null);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            if (keys.get(i).keyType().equals(keyType)) {
                out.add(ALIAS + i);
            }
        }
        return out.isEmpty() ? null : out.toArray(String[]::new);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return key(alias).map(k -> k.chain().toArray(X509Certificate[]::new)).orElse(null);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return key(alias).map(LoadedKey::key).orElse(null);
    }

    private Optional<LoadedKey> key(String alias) {
        if (alias == null || !alias.startsWith(ALIAS)) {
            return Optional.empty();
        }
        try {
            int i = Integer.parseInt(alias.substring(ALIAS.length()));
            return i >= 0 && i < keys.size() ? Optional.of(keys.get(i)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    // a server never presents a client certificate
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    static Optional<String> requestedHost(SSLSession session) {
        if (!(session instanceof ExtendedSSLSession e)) {
            return Optional.empty();
        }
        for (SNIServerName n : e.getRequestedServerNames()) {
            if (n.getType() != StandardConstants.SNI_HOST_NAME) {
                continue;
            }
            try {
                SNIHostName h = n instanceof SNIHostName sh ? sh : new SNIHostName(n.getEncoded());
                return Optional.of(h.getAsciiName().toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException malformed) {
                return Optional.empty(); // not a host name: the default certificate
            }
        }
        return Optional.empty();
    }
}
