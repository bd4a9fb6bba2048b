package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Secure backends for a cluster run ({@code --secure-backends}): a throwaway CA made with openssl at start, one
 * certificate for every Redis and Sentinel host and one for the Consul stand-in (each naming the hosts' addresses),
 * random passwords and tokens. Redis and Sentinel then listen with TLS only and want AUTH (the gateways as an ACL user
 * limited to their keys), the stand-in serves HTTPS only and enforces ACLs with a management token. Everything lives
 * in {@code <work>/tls}, readable by this user only, and dies with the work dir.
 */
public final class BackendSecurity {
    /** The gateways' Redis ACL user (ansible: redis_gateway_user). */
    public static final String GATEWAY_USER = "loomgate";

    private final Path dir;
    private final String redisPassword;
    private final String gatewayPassword;
    private final String consulToken;

    private BackendSecurity(Path dir) {
        this.dir = dir;
        this.redisPassword = random();
        this.gatewayPassword = random();
        this.consulToken = random();
    }

    /** Makes the CA, passwords and tokens in {@code workDir/tls} (certificates follow in {@link #issue}). */
    static BackendSecurity create(Path workDir) throws IOException {
        Path dir = workDir.resolve("tls");
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        BackendSecurity s = new BackendSecurity(dir);
        s.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                "-out", "ca.pem", "-subj", "/CN=loomgate cluster CA (throwaway)", "-days", "2",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        Files.writeString(s.consulTokenFile(), s.consulToken + "\n");
        return s;
    }

    /** Issues {@code name}.pem/.key for these addresses (IPs), signed by the CA. */
    void issue(String name, Collection<String> addresses) throws IOException {
        Set<String> sans = new LinkedHashSet<>();
        for (String a : addresses) {
            sans.add((a.matches("[0-9.]+|.*:.*") ? "IP:" : "DNS:") + a);
        }
        Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + String.join(",", sans)
                + "\nextendedKeyUsage=serverAuth,clientAuth\n");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                "-out", name + ".csr", "-subj", "/CN=" + name);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", name + ".ext", "-out", name + ".pem");
    }

    /** The Ansible variables that switch TLS and credentials on (passed with -e @file; the file is 0600). */
    Path ansibleVars() throws IOException {
        Path vars = dir.resolve("ansible-vars.yml");
        String yaml = """
                # Written by the cluster launcher for --secure-backends (throwaway CA and secrets of this run).
                redis_tls_enabled: true
                redis_tls_cert_file: "%s"
                redis_tls_key_file: "%s"
                redis_tls_ca_file: "%s"
                redis_tls_auth_clients: "optional"
                redis_password: "%s"
                redis_gateway_user: "%s"
                redis_gateway_password: "%s"
                consul_tls_enabled: true
                consul_tls_ca_file: "%s"
                consul_token: "%s"
                """.formatted(redisCert(), redisKey(), caFile(), redisPassword, GATEWAY_USER, gatewayPassword, caFile(),
                consulToken);
        Files.writeString(vars, yaml);
        Files.setPosixFilePermissions(vars, PosixFilePermissions.fromString("rw-------"));
        return vars;
    }

    /** The folder of the CA, certificates and secrets (0700). */
    Path dir() {
        return dir;
    }

    public Path caFile() {
        return dir.resolve("ca.pem");
    }

    Path redisCert() {
        return dir.resolve("redis.pem");
    }

    Path redisKey() {
        return dir.resolve("redis.key");
    }

    Path consulCert() {
        return dir.resolve("consul.pem");
    }

    Path consulKey() {
        return dir.resolve("consul.key");
    }

    /** The stand-in reads its management token from this file (not from its command line). */
    Path consulTokenFile() {
        return dir.resolve("consul-token");
    }

    /** Redis' default user (replication, sentinels, the harness' probes). */
    public String redisPassword() {
        return redisPassword;
    }

    /** The gateways' ACL user's password. */
    public String gatewayPassword() {
        return gatewayPassword;
    }

    public String consulToken() {
        return consulToken;
    }

    /** Trusts the throwaway CA only. */
    public SSLContext sslContext() throws IOException {
        try (InputStream in = Files.newInputStream(caFile())) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load " + caFile() + ": " + e.getMessage(), e);
        }
    }

    private static String random() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private void openssl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        List<String> inDir = new ArrayList<>(List.of("sh", "-c", "cd \"$0\" && exec \"$@\"", dir.toString()));
        inDir.addAll(cmd);
        CommandResult.check(inDir, Duration.ofSeconds(30));
    }
}
