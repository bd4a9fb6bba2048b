package dev.loomgate.gateway.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads certificates and private keys from PEM files and PKCS#12 stores, and checks that each key
 * belongs to its certificate (a renewed certificate deployed with the old key fails here, with the
 * file named, instead of in every handshake).
 */
public final class KeyMaterial {
    /** Key and certificate files are small; anything bigger is not one. */
    static final int MAX_FILE_BYTES = 1024 * 1024;
    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");

    private KeyMaterial() {
    }

    /**
     * Loads every certificate of {@code source}.
     *
     * @param names    host names the certificate serves; empty = the leaf's DNS subject alternative names
     * @param env      the environment (for a PKCS#12 {@code password-env})
     */
    public static List<LoadedKey> load(KeySource source, List<String> names, Map<String, String> env)
            throws TlsMaterialException {
        return switch (source) {
            case KeySource.Pem p -> List.of(pem(p, names));
            case KeySource.Pkcs12 p -> pkcs12(p, names, env);
        };
    }

    /** The certificates of a PEM file (a CA bundle or a chain), in file order. */
    public static List<X509Certificate> certificates(Path file) throws TlsMaterialException {
        List<X509Certificate> out = new ArrayList<>();
        CertificateFactory cf = x509();
        for (Block b : blocks(file)) {
            if (!b.type.equals("CERTIFICATE")) {
                continue;
            }
            try {
                out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der)));
            } catch (CertificateException e) {
                throw new TlsMaterialException(file, "certificate " + (out.size() + 1) + " is not a valid X.509 certificate: "
                        + e.getMessage(), e);
            }
        }
        if (out.isEmpty()) {
            throw new TlsMaterialException(file, "no PEM certificate (-----BEGIN CERTIFICATE-----) found");
        }
        return out;
    }

    /** A private key file: unencrypted PKCS#8 only; the key's algorithm is taken from {@code forCertificate}. */
    public static PrivateKey privateKey(Path file, X509Certificate forCertificate) throws TlsMaterialException {
        List<Block> blocks = blocks(file);
        for (Block b : blocks) {
            switch (b.type) {
                case "PRIVATE KEY" -> {
                    String alg = forCertificate.getPublicKey().getAlgorithm();
                    try {
                        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(b.der));
                    } catch (GeneralSecurityException e) {
                        throw new TlsMaterialException(file, "not a valid PKCS#8 " + alg + " private key (the certificate's"
                                + " key is " + alg + "): " + e.getMessage(), e);
                    }
                }
                case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new TlsMaterialException(file, "is a " + b.type
                        + " (PKCS#1/SEC1); convert it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
                case "ENCRYPTED PRIVATE KEY" -> throw new TlsMaterialException(file, "is encrypted; use an unencrypted"
                        + " PKCS#8 key readable only by the gateway's user, or a PKCS#12 store with a password");
                default -> {
                    // certificates or parameters next to the key: skipped
                }
            }
        }
        throw new TlsMaterialException(file, "no PEM private key (-----BEGIN PRIVATE KEY-----) found");
    }

    private static LoadedKey pem(KeySource.Pem p, List<String> names) throws TlsMaterialException {
        List<X509Certificate> chain = certificates(p.certificate());
        PrivateKey key = privateKey(p.key(), chain.getFirst());
        checkPair(p.key(), key, chain.getFirst());
        return new LoadedKey(chain, key, names(p.certificate(), chain.getFirst(), names), p.certificate().toString());
    }

    private static List<LoadedKey> pkcs12(KeySource.Pkcs12 p, List<String> names, Map<String, String> env)
            throws TlsMaterialException {
        char[] password = password(p, env);
        KeyStore ks;
        try {
            ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(read(p.store())), password);
        } catch (IOException | GeneralSecurityException e) {
            String why = e.getCause() instanceof java.security.UnrecoverableKeyException
                    || String.valueOf(e.getMessage()).contains("password") ? "wrong password or not a PKCS#12 store"
                    : "not a readable PKCS#12 store";
            throw new TlsMaterialException(p.store(), why + ": " + e.getMessage(), e);
        }
        List<LoadedKey> out = new ArrayList<>();
        try {
            for (String alias : Collections.list(ks.aliases())) {
                if (!ks.isKeyEntry(alias)) {
                    continue;
                }
                if (!(ks.getKey(alias, password) instanceof PrivateKey key)) {
                    continue;
                }
                List<X509Certificate> chain = new ArrayList<>();
                for (java.security.cert.Certificate c : ks.getCertificateChain(alias)) {
                    chain.add((X509Certificate) c);
                }
                checkPair(p.store(), key, chain.getFirst());
                out.add(new LoadedKey(chain, key, names(p.store(), chain.getFirst(), names),
                        p.store() + " (" + alias + ")"));
            }
        } catch (GeneralSecurityException e) {
            throw new TlsMaterialException(p.store(), "cannot read a key entry: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new TlsMaterialException(p.store(), "holds no private key with a certificate");
        }
        return out;
    }

    private static char[] password(KeySource.Pkcs12 p, Map<String, String> env) throws TlsMaterialException {
        if (p.passwordFile().isPresent()) {
            String text = new String(read(p.passwordFile().get()), StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            return (nl < 0 ? text : text.substring(0, nl)).strip().toCharArray();
        }
        if (p.passwordEnv().isPresent()) {
            String v = env.get(p.passwordEnv().get());
            if (v == null) {
                throw new TlsMaterialException(p.store(), "password environment variable " + p.passwordEnv().get()
                        + " is not set");
            }
            return v.toCharArray();
        }
        return new char[0];
    }

    /** Signs and verifies a probe: the only check that works the same for every key type. */
    private static void checkPair(Path file, PrivateKey key, X509Certificate leaf) throws TlsMaterialException {
        PublicKey pub = leaf.getPublicKey();
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> throw new TlsMaterialException(file, "unsupported key algorithm " + key.getAlgorithm()
                    + " (RSA, EC or Ed25519)");
        };
        try {
            byte[] probe = "loomgate key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            s.initVerify(pub);
            s.update(probe);
            if (!s.verify(sig)) {
                throw new TlsMaterialException(file, "the private key does not belong to the certificate "
                        + leaf.getSubjectX500Principal().getName());
            }
        } catch (GeneralSecurityException e) {
            throw new TlsMaterialException(file, "the private key does not belong to the certificate "
                    + leaf.getSubjectX500Principal().getName() + ": " + e.getMessage(), e);
        }
    }

    private static List<String> names(Path file, X509Certificate leaf, List<String> configured)
            throws TlsMaterialException {
        if (!configured.isEmpty()) {
            return configured;
        }
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0))) { // dNSName
                        out.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw new TlsMaterialException(file, "unreadable subject alternative names: " + e.getMessage(), e);
        }
        return out;
    }

    private record Block(String type, byte[] der) {
    }

    private static List<Block> blocks(Path file) throws TlsMaterialException {
        String text = new String(read(file), StandardCharsets.US_ASCII);
        List<Block> out = new ArrayList<>();
        Matcher m = PEM_BLOCK.matcher(text);
        while (m.find()) {
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new TlsMaterialException(file, "bad base64 in a " + m.group(1) + " block");
            }
        }
        if (out.isEmpty()) {
            throw new TlsMaterialException(file, "not a PEM file (no -----BEGIN ...----- block)");
        }
        return out;
    }

    static byte[] read(Path file) throws TlsMaterialException {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new TlsMaterialException(file, "larger than " + MAX_FILE_BYTES + " bytes: not a key or certificate");
            }
            return Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new TlsMaterialException(file, "no such file", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new TlsMaterialException(file, "not readable (permission denied)", e);
        } catch (IOException e) {
            throw new TlsMaterialException(file, "cannot read: " + e, e);
        }
    }

    private static CertificateFactory x509() {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("X.509 is always present", e);
        }
    }
}
