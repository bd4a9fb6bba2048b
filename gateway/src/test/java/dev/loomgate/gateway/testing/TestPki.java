package dev.loomgate.gateway.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test key material generated at run time in a directory the test owns (nothing private is committed):
 * a CA and leaf certificates signed by it, made with the {@code openssl} command line; an expired leaf
 * with the running JDK's {@code keytool} (OpenSSL 3.0 cannot back-date). Each leaf is a PEM chain
 * ({@code NAME.pem}: leaf then CA), a PKCS#8 key ({@code NAME.key}) and on request a PKCS#12 store.
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime() & 0xffffffL);
    private final Path dir;
    private final String caName;

    /** A leaf: its files. */
    public record Leaf(Path chain, Path key) {
    }

    private TestPki(Path dir, String caName) {
        this.dir = dir;
        this.caName = caName;
    }

    /** A new CA named {@code name} in {@code dir}. */
    public static TestPki create(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        TestPki pki = new TestPki(dir, name);
        pki.run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", name + "-ca.key", "-out", name + "-ca.pem", "-days", "30", "-subj", "/CN=" + name + " test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return pki;
    }

    /** The CA certificate (PEM). */
    public Path ca() {
        return dir.resolve(caName + "-ca.pem");
    }

    public Path dir() {
        return dir;
    }

    /**
     * A leaf for {@code dnsNames} (and 127.0.0.1), valid 30 days.
     *
     * @param keyType {@code ec} or {@code rsa}
     */
    public Leaf leaf(String file, String keyType, String... dnsNames) throws IOException {
        Path key = dir.resolve(file + ".key");
        Path cert = dir.resolve(file + ".crt");
        if (keyType.equals("rsa")) {
            run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key.toString());
        } else {
            run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        }
        run("openssl", "req", "-x509", "-new", "-key", key.toString(), "-CA", ca().toString(), "-CAkey",
                dir.resolve(caName + "-ca.key").toString(), "-subj", "/CN=" + dnsNames[0],
                "-addext", "subjectAltName=" + san(dnsNames), "-addext", "basicConstraints=CA:FALSE",
                "-addext", "extendedKeyUsage=serverAuth,clientAuth",
                "-set_serial", Long.toString(SERIAL.incrementAndGet()), "-days", "30", "-out", cert.toString());
        Path chain = dir.resolve(file + ".pem");
        Files.writeString(chain, Files.readString(cert) + Files.readString(ca()));
        return new Leaf(chain, key);
    }

    /** A leaf whose validity ended yesterday (signed by this CA with keytool's back-dating). */
    public Leaf expiredLeaf(String file, String... dnsNames) throws IOException {
        Path key = dir.resolve(file + ".key");
        Path csr = dir.resolve(file + ".csr");
        Path cert = dir.resolve(file + ".crt");
        Path caStore = dir.resolve(caName + "-ca.p12");
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        run("openssl", "req", "-new", "-key", key.toString(), "-subj", "/CN=" + dnsNames[0], "-out", csr.toString());
        if (!Files.exists(caStore)) {
            run("openssl", "pkcs12", "-export", "-in", ca().toString(), "-inkey",
                    dir.resolve(caName + "-ca.key").toString(), "-name", "ca", "-out", caStore.toString(),
                    "-passout", "pass:changeit");
        }
        run(keytool(), "-gencert", "-alias", "ca", "-keystore", caStore.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-infile", csr.toString(), "-outfile", cert.toString(), "-rfc",
                "-startdate", "-3d", "-validity", "2", "-ext", "san=" + san(dnsNames).toLowerCase());
        Path chain = dir.resolve(file + ".pem");
        Files.writeString(chain, Files.readString(cert) + Files.readString(ca()));
        return new Leaf(chain, key);
    }

    /** A PKCS#12 store of {@code leaf} (with its chain) protected by {@code password}. */
    public Path pkcs12(Leaf leaf, String file, String password) throws IOException {
        Path out = dir.resolve(file + ".p12");
        run("openssl", "pkcs12", "-export", "-in", leaf.chain().toString(), "-inkey", leaf.key().toString(),
                "-name", "leaf", "-out", out.toString(), "-passout", "pass:" + password);
        return out;
    }

    private static String san(String... dnsNames) {
        List<String> parts = new ArrayList<>();
        for (String n : dnsNames) {
            parts.add("DNS:" + n);
        }
        parts.add("IP:127.0.0.1");
        return String.join(",", parts);
    }

    private static String keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }

    private void run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command[0] + " did not finish in 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): "
                        + new String(output, java.nio.charset.StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
