package dev.loomgate.gateway.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import dev.loomgate.gateway.tls.CertificateSpec;
import dev.loomgate.gateway.tls.ClientTls;
import dev.loomgate.gateway.tls.ClientTlsSettings;
import dev.loomgate.gateway.tls.KeyMaterial;
import dev.loomgate.gateway.tls.KeySource;
import dev.loomgate.gateway.tls.ServerTlsSettings;
import dev.loomgate.gateway.tls.TlsMaterialException;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * The {@code tls:} blocks (docs/SECURITY.md, "TLS"): of a listener ({@code front-door.tls}, {@code admin.tls})
 * and of an upstream (routes.yaml). The key material is loaded here, so a missing file, a key that does not
 * match its certificate or a wrong PKCS#12 password is an error at the line of the field that names it.
 */
public final class TlsConfigParser {
    static final Set<String> LISTENER_KEYS = RoutesParser.orderedSet("certificates", "protocols", "cipher-suites",
            "alpn", "reload-interval");
    static final Set<String> CERTIFICATE_KEYS = RoutesParser.orderedSet("cert", "key", "pkcs12", "password-file",
            "password-env", "server-names");
    static final Set<String> UPSTREAM_KEYS = RoutesParser.orderedSet("ca", "client-cert", "client-key", "server-name",
            "verify", "reload-interval");
    private static final Pattern HOST_NAME = Pattern.compile(
            "(\\*\\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private TlsConfigParser() {
    }

    /** A listener's {@code tls:}; relative paths are resolved against {@code baseDir}. */
    public static ServerTlsSettings listener(YamlValue v, Path baseDir, Map<String, String> env)
            throws ConfigException {
        YamlValue.Fields f = v.fields(LISTENER_KEYS);
        YamlValue certsNode = f.required("certificates");
        List<YamlValue> items = certsNode.sequence();
        if (items.isEmpty()) {
            throw certsNode.error("must list at least one certificate (the first is the default)");
        }
        List<CertificateSpec> certs = new ArrayList<>();
        for (YamlValue item : items) {
            certs.add(certificate(item, baseDir, env));
        }
        List<String> protocols = ServerTlsSettings.DEFAULT_PROTOCOLS;
        if (f.has("protocols")) {
            YamlValue p = f.required("protocols");
            protocols = strings(p);
            for (String x : protocols) {
                if (!ServerTlsSettings.SUPPORTED_PROTOCOLS.contains(x)) {
                    throw p.error("'" + x + "' is not allowed (TLSv1.3, TLSv1.2; older versions are broken, RFC 8996)");
                }
            }
        }
        List<String> suites = ServerTlsSettings.DEFAULT_CIPHER_SUITES;
        if (f.has("cipher-suites")) {
            YamlValue c = f.required("cipher-suites");
            suites = strings(c);
            List<String> unknown = dev.loomgate.gateway.tls.ServerTls.unsupportedCipherSuites(suites);
            if (!unknown.isEmpty()) {
                throw c.error("not supported by this JDK: " + unknown + " (use IANA names like TLS_AES_128_GCM_SHA256)");
            }
        }
        List<String> alpn = ServerTlsSettings.DEFAULT_APPLICATION_PROTOCOLS;
        if (f.has("alpn")) {
            YamlValue a = f.required("alpn");
            alpn = strings(a);
            if (!alpn.equals(List.of("http/1.1"))) {
                throw a.error("only [http/1.1] for now (the front door does not speak h2 yet)");
            }
        }
        Duration reload = ServerTlsSettings.DEFAULT_RELOAD_INTERVAL;
        if (f.has("reload-interval")) {
            reload = reloadInterval(f.required("reload-interval"));
        }
        return new ServerTlsSettings(certs, protocols, suites, alpn, reload);
    }

    private static CertificateSpec certificate(YamlValue v, Path baseDir, Map<String, String> env)
            throws ConfigException {
        YamlValue.Fields f = v.fields(CERTIFICATE_KEYS);
        List<String> names = new ArrayList<>();
        if (f.has("server-names")) {
            for (YamlValue n : f.required("server-names").sequence()) {
                String name = n.nonBlankString().toLowerCase(Locale.ROOT);
                if (!HOST_NAME.matcher(name).matches()) {
                    throw n.error("'" + name + "' is not a host name (or *.domain)");
                }
                names.add(name);
            }
        }
        KeySource source;
        YamlValue at; // where a loading error is reported
        if (f.has("pkcs12")) {
            if (f.has("cert") || f.has("key")) {
                throw f.required("pkcs12").error("use either cert + key (PEM) or pkcs12, not both");
            }
            if (f.has("password-file") && f.has("password-env")) {
                throw f.required("password-env").error("use either password-file or password-env");
            }
            Optional<String> envName = Optional.empty();
            if (f.has("password-env")) {
                YamlValue e = f.required("password-env");
                if (!ENV_NAME.matcher(e.nonBlankString()).matches()) {
                    throw e.error("must be an environment variable name");
                }
                envName = Optional.of(e.nonBlankString());
            }
            at = f.required("pkcs12");
            source = new KeySource.Pkcs12(path(at, baseDir),
                    f.has("password-file") ? Optional.of(path(f.required("password-file"), baseDir)) : Optional.empty(),
                    envName);
        } else {
            if (!f.has("cert") || !f.has("key")) {
                throw v.error("needs cert and key (PEM files) or pkcs12");
            }
            if (f.has("password-file") || f.has("password-env")) {
                throw v.error("password-file/password-env go with pkcs12; PEM keys are unencrypted PKCS#8");
            }
            source = new KeySource.Pem(path(f.required("cert"), baseDir), path(f.required("key"), baseDir));
            at = f.required("cert");
        }
        try {
            KeyMaterial.load(source, names, env);
        } catch (TlsMaterialException e) {
            YamlValue field = f.has("key") && e.file().equals(((KeySource.Pem) source).key()) ? f.required("key") : at;
            throw field.error(e.getMessage());
        }
        return new CertificateSpec(source, names);
    }

    /** An upstream's {@code tls:}; the files are read now (a bad one rejects the routes document). */
    public static ClientTls upstream(YamlValue v) throws ConfigException {
        YamlValue.Fields f = v.fields(UPSTREAM_KEYS);
        Path base = Path.of("");
        Optional<Path> ca = f.has("ca") ? Optional.of(path(f.required("ca"), base)) : Optional.empty();
        Optional<Path> cert = f.has("client-cert") ? Optional.of(path(f.required("client-cert"), base)) : Optional.empty();
        Optional<Path> key = f.has("client-key") ? Optional.of(path(f.required("client-key"), base)) : Optional.empty();
        if (cert.isPresent() != key.isPresent()) {
            throw (cert.isPresent() ? f.required("client-cert") : f.required("client-key"))
                    .error("client-cert and client-key go together");
        }
        Optional<String> serverName = Optional.empty();
        if (f.has("server-name")) {
            YamlValue s = f.required("server-name");
            String name = s.nonBlankString().toLowerCase(Locale.ROOT);
            if (!HOST_NAME.matcher(name).matches() || name.startsWith("*")) {
                throw s.error("'" + name + "' is not a host name");
            }
            serverName = Optional.of(name);
        }
        boolean verify = !f.has("verify") || f.required("verify").bool();
        if (!verify && ca.isPresent()) {
            throw f.required("verify").error("verify: false ignores ca; remove one of them");
        }
        Duration reload = ClientTlsSettings.DEFAULT_RELOAD_INTERVAL;
        if (f.has("reload-interval")) {
            reload = reloadInterval(f.required("reload-interval"));
        }
        try {
            return ClientTls.load(new ClientTlsSettings(ca, cert, key, serverName, verify, reload));
        } catch (TlsMaterialException e) {
            YamlValue field = f.has("ca") && ca.get().equals(e.file()) ? f.required("ca")
                    : f.has("client-key") && key.get().equals(e.file()) ? f.required("client-key")
                    : f.has("client-cert") ? f.required("client-cert") : v;
            throw field.error(e.getMessage());
        }
    }

    private static Duration reloadInterval(YamlValue r) throws ConfigException {
        Duration d = r.duration();
        if (!d.isZero() && d.compareTo(Duration.ofMillis(10)) < 0) {
            throw r.error("must be 0 (no reload) or at least 10ms");
        }
        return d;
    }

    private static Path path(YamlValue v, Path baseDir) throws ConfigException {
        try {
            return baseDir.resolve(v.nonBlankString());
        } catch (InvalidPathException e) {
            throw v.error("not a valid path: " + e.getReason());
        }
    }

    private static List<String> strings(YamlValue v) throws ConfigException {
        List<String> out = new ArrayList<>();
        for (YamlValue item : v.sequence()) {
            out.add(item.nonBlankString());
        }
        if (out.isEmpty()) {
            throw v.error("must not be empty");
        }
        return out;
    }
}
