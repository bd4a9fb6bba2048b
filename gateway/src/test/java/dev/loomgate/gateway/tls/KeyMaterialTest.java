package dev.loomgate.gateway.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.loomgate.gateway.testing.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PEM and PKCS#12 loading: what loads, and the reasons for what does not. */
class KeyMaterialTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Leaf ec;
    static TestPki.Leaf rsa;

    @BeforeAll
    static void keys() throws Exception {
        pki = TestPki.create(dir, "km");
        ec = pki.leaf("ec", "ec", "a.test", "*.b.test");
        rsa = pki.leaf("rsa", "rsa", "c.test");
    }

    @Test
    void pemChainsAndPkcs8KeysOfBothTypes() throws Exception {
        LoadedKey e = KeyMaterial.load(new KeySource.Pem(ec.chain(), ec.key()), List.of(), Map.of()).getFirst();
        assertEquals("EC", e.keyType());
        assertEquals(2, e.chain().size(), "leaf and CA from the chain file");
        assertEquals(List.of("a.test", "*.b.test"), e.names(), "names default to the DNS subject alternative names");
        assertTrue(e.serves("a.test") && e.serves("x.b.test") && !e.serves("b.test") && !e.serves("y.x.b.test"));
        LoadedKey r = KeyMaterial.load(new KeySource.Pem(rsa.chain(), rsa.key()), List.of("Other.Test"), Map.of())
                .getFirst();
        assertEquals("RSA", r.keyType());
        assertEquals(List.of("other.test"), r.names(), "configured names replace the certificate's, lower-cased");
    }

    @Test
    void pkcs12WithPasswordFromFileOrEnvironment() throws Exception {
        Path store = pki.pkcs12(rsa, "rsa-store", "p@ss word");
        Path pass = dir.resolve("pass.txt");
        Files.writeString(pass, "p@ss word\nsecond line ignored\n");
        LoadedKey k = KeyMaterial.load(new KeySource.Pkcs12(store, Optional.of(pass), Optional.empty()), List.of(), Map.of())
                .getFirst();
        assertEquals("RSA", k.keyType());
        assertEquals(List.of("c.test"), k.names());
        assertEquals(1, KeyMaterial.load(new KeySource.Pkcs12(store, Optional.empty(), Optional.of("P12_PASS")), List.of(),
                Map.of("P12_PASS", "p@ss word")).size());
        TlsMaterialException wrong = assertThrows(TlsMaterialException.class, () -> KeyMaterial.load(
                new KeySource.Pkcs12(store, Optional.empty(), Optional.of("P12_PASS")), List.of(), Map.of("P12_PASS", "no")));
        assertEquals(store, wrong.file());
        assertTrue(wrong.reason().startsWith("wrong password or not a PKCS#12 store"), wrong.reason());
    }

    @Test
    void unusableFilesAreRefusedWithTheReason() throws Exception {
        Path text = dir.resolve("text.pem");
        Files.writeString(text, "hello\n");
        assertEquals("not a PEM file (no -----BEGIN ...----- block)", reason(new KeySource.Pem(text, ec.key())));
        assertEquals("no PEM certificate (-----BEGIN CERTIFICATE-----) found", reason(new KeySource.Pem(ec.key(), ec.key())));
        assertEquals("no PEM private key (-----BEGIN PRIVATE KEY-----) found", reason(new KeySource.Pem(ec.chain(), ec.chain())));
        assertTrue(reason(new KeySource.Pem(ec.chain(), rsa.key())).startsWith("not a valid PKCS#8 EC private key"));
        TestPki.Leaf twin = pki.leaf("twin", "ec", "a.test");
        assertTrue(reason(new KeySource.Pem(ec.chain(), twin.key())).startsWith("the private key does not belong to the"
                + " certificate CN=a.test"), "an EC key of another certificate");
        Path encrypted = dir.resolve("enc.key");
        Files.writeString(encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertTrue(reason(new KeySource.Pem(ec.chain(), encrypted)).startsWith("is encrypted"));
        assertEquals("no such file", reason(new KeySource.Pem(dir.resolve("missing.pem"), ec.key())));
        Path huge = dir.resolve("huge.pem");
        Files.write(huge, new byte[KeyMaterial.MAX_FILE_BYTES + 1]);
        assertTrue(reason(new KeySource.Pem(huge, ec.key())).startsWith("larger than"));
    }

    private static String reason(KeySource s) {
        return assertThrows(TlsMaterialException.class, () -> KeyMaterial.load(s, List.of(), Map.of())).reason();
    }
}
