package dev.loomgate.gateway.tls;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Where one certificate and its private key come from: PEM files or a PKCS#12 store. */
public sealed interface KeySource {
    /** The files to watch for changes (reload) and to name in errors. */
    List<Path> files();

    /**
     * A PEM certificate chain (leaf first, then intermediates) and an unencrypted PKCS#8 private key
     * ({@code -----BEGIN PRIVATE KEY-----}); RSA, EC and Ed25519 keys.
     */
    record Pem(Path certificate, Path key) implements KeySource {
        public Pem {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(key, "key");
        }

        @Override
        public List<Path> files() {
            return List.of(certificate, key);
        }
    }

    /**
     * A PKCS#12 store; every private-key entry in it becomes a certificate.
     *
     * @param passwordFile file whose first line is the store password
     * @param passwordEnv  environment variable holding the password (used when there is no file)
     */
    record Pkcs12(Path store, Optional<Path> passwordFile, Optional<String> passwordEnv) implements KeySource {
        public Pkcs12 {
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(passwordFile, "passwordFile");
            Objects.requireNonNull(passwordEnv, "passwordEnv");
        }

        @Override
        public List<Path> files() {
            return passwordFile.map(p -> List.of(store, p)).orElse(List.of(store));
        }
    }
}
