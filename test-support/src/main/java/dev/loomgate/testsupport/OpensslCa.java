package dev.loomgate.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority made with the {@code openssl} command: a CA and leaf certificates with the
 * subject alternative names a test needs, as PEM files (EC P-256 keys in PKCS#8, as Redis, Java and HAProxy read them).
 */
public final class OpensslCa {
    private final Path dir;
    private final Path caCert;
    private final Path caKey;

    /** A leaf: certificate and key file. */
    public record Leaf(Path cert, Path key) {
    }

    private OpensslCa(Path dir) {
        this.dir = dir;
        this.caCert = dir.resolve("ca.pem");
        this.caKey = dir.resolve("ca.key");
    }

    /** Makes a new CA in {@code dir} (created if missing), valid for two days. */
    public static OpensslCa create(Path dir) {
        OpensslCa ca = new OpensslCa(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        ca.openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ca.caKey.toString());
        ca.openssl("req", "-x509", "-new", "-key", ca.caKey.toString(), "-subj", "/CN=loomgate test CA", "-days", "2",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-out", ca.caCert.toString());
        return ca;
    }

    public Path caCert() {
        return caCert;
    }

    /**
     * Issues a certificate for {@code name}; {@code sans} are entries like {@code IP:127.0.0.1} or
     * {@code DNS:redis.test}. Usable as server and client certificate.
     */
    public Leaf issue(String name, List<String> sans) {
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".pem");
        Path ext = dir.resolve(name + ".ext");
        try {
            Files.writeString(ext, "subjectAltName=" + String.join(",", sans) + "\n"
                    + "extendedKeyUsage=serverAuth,clientAuth\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        openssl("req", "-new", "-key", key.toString(), "-subj", "/CN=" + name, "-out", csr.toString());
        openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "2", "-extfile", ext.toString(), "-out", cert.toString());
        return new Leaf(cert, key);
    }

    private void openssl(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            try {
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("openssl failed: " + cmd + ": " + out);
                }
            } finally {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run openssl (apt-get install openssl): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
