package dev.loomgate.gateway.policy.jwt;

import java.security.Key;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.JWSVerifierFactory;
import com.nimbusds.jose.proc.SecurityContext;

/**
 * EdDSA (Ed25519) for the jwt filter. Nimbus verifies Ed25519 signatures (with Google Tink), but its key plumbing
 * for the JWT processor ({@link JWSVerificationKeySelector}, {@link DefaultJWSVerifierFactory}) deals in
 * {@code java.security} keys only and finds no key for an OKP JWK. So the selector hands an issuer's OKP Ed25519
 * keys over wrapped in {@link OkpKey}, and the factory verifies exactly those with {@link Ed25519Verifier};
 * every other algorithm goes through nimbus' own classes unchanged. The pinned-algorithm check stays nimbus'.
 */
final class EdDsaKeys {
    private EdDsaKeys() {
    }

    /** An OKP public JWK carried through nimbus' {@code Key}-typed processor API. */
    record OkpKey(OctetKeyPair jwk) implements PublicKey {
        @Override
        public String getAlgorithm() {
            return "Ed25519";
        }

        @Override
        public String getFormat() {
            return "RAW";
        }

        @Override
        public byte[] getEncoded() {
            return jwk.getDecodedX();
        }
    }

    /** Selects keys as nimbus does, and for an allowed {@code EdDSA} header: the issuer's Ed25519 OKP keys. */
    static final class Selector extends JWSVerificationKeySelector<SecurityContext> {
        Selector(Set<JWSAlgorithm> algorithms, JWKSource<SecurityContext> keys) {
            super(algorithms, keys);
        }

        @Override
        public List<Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
            if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
                return super.selectJWSKeys(header, context);
            }
            if (!isAllowed(header.getAlgorithm())) {
                return List.of(); // not pinned for this issuer: no key, the processor refuses
            }
            // what nimbus' JWKMatcher.forJWSHeader does for RSA/EC, for OKP (it has no case for it)
            JWKMatcher matcher = new JWKMatcher.Builder().keyType(KeyType.OKP).curve(Curve.Ed25519)
                    .keyID(header.getKeyID()).keyUses(KeyUse.SIGNATURE, null).algorithms(JWSAlgorithm.EdDSA, null)
                    .build();
            List<Key> keys = new ArrayList<>();
            for (JWK jwk : getJWKSource().get(new JWKSelector(matcher), context)) {
                if (jwk instanceof OctetKeyPair okp) {
                    keys.add(new OkpKey(okp.toPublicJWK()));
                }
            }
            return keys;
        }
    }

    /** Nimbus' default verifiers, plus Ed25519 for {@link OkpKey}s under an {@code EdDSA} header. */
    static final class VerifierFactory implements JWSVerifierFactory {
        private final DefaultJWSVerifierFactory others = new DefaultJWSVerifierFactory();

        @Override
        public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
            if (key instanceof OkpKey okp) {
                if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
                    throw new JOSEException("an Ed25519 key verifies EdDSA only, not " + header.getAlgorithm());
                }
                return new Ed25519Verifier(okp.jwk());
            }
            return others.createJWSVerifier(header, key);
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            Set<JWSAlgorithm> all = new LinkedHashSet<>(others.supportedJWSAlgorithms());
            all.add(JWSAlgorithm.EdDSA);
            return all;
        }

        @Override
        public JCAContext getJCAContext() {
            return others.getJCAContext();
        }
    }
}
