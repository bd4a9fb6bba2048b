package dev.loomgate.gateway.tls;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.loomgate.gateway.testing.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which certificate a handshake gets for a name and a key type. */
class SniKeyManagerTest {
    @TempDir
    static Path dir;
    static SniKeyManager km;

    @BeforeAll
    static void keys() throws Exception {
        TestPki pki = TestPki.create(dir, "sni");
        // 0: default EC, 1: default RSA twin (same names), 2: api RSA only, 3: shop EC, 4: shop RSA
        km = new SniKeyManager(List.of(
                load(pki.leaf("d-ec", "ec", "default.test")), load(pki.leaf("d-rsa", "rsa", "default.test")),
                load(pki.leaf("api", "rsa", "api.test", "*.api.test")),
                load(pki.leaf("shop-ec", "ec", "shop.test")), load(pki.leaf("shop-rsa", "rsa", "shop.test"))));
    }

    private static LoadedKey load(TestPki.Leaf l) throws Exception {
        return KeyMaterial.load(new KeySource.Pem(l.chain(), l.key()), List.of(), Map.of()).getFirst();
    }

    private static Optional<String> choose(String type, String host) {
        return km.choose(type, Optional.ofNullable(host));
    }

    @Test
    void namedCertificatesOfTheAskedKeyType() {
        assertEquals(Optional.of("cert-3"), choose("EC", "shop.test"));
        assertEquals(Optional.of("cert-4"), choose("RSA", "shop.test"));
        assertEquals(Optional.of("cert-2"), choose("RSA", "v2.api.test"));
    }

    @Test
    void aNamedCertificateIsNeverReplacedByTheDefaultOfAnotherKeyType() {
        // api.test has only RSA: a client asking for EC first must get nothing, so the JDK asks for RSA next
        assertEquals(Optional.empty(), choose("EC", "api.test"));
    }

    @Test
    void unknownOrMissingNamesGetTheDefaultAndItsTwinOfTheOtherKeyType() {
        assertEquals(Optional.of("cert-0"), choose("EC", null));
        assertEquals(Optional.of("cert-1"), choose("RSA", null), "the default's RSA twin, not the api RSA");
        assertEquals(Optional.of("cert-1"), choose("RSA", "nobody.test"));
        assertEquals(Optional.empty(), choose("EdDSA", "nobody.test"));
        assertEquals("CN=shop.test", km.getCertificateChain("cert-3")[0].getSubjectX500Principal().getName());
        assertEquals(null, km.getPrivateKey("cert-99"));
    }
}
