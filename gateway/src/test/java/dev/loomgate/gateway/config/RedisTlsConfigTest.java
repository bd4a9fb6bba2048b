package dev.loomgate.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.testsupport.OpensslCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code redis.tls} in gateway.yaml: files relative to the config file, errors with file:line, field and reason. */
class RedisTlsConfigTest {
    @TempDir
    Path dir;

    @Test
    void caFileRelativeToTheConfigFile() throws Exception {
        OpensslCa ca = OpensslCa.create(dir.resolve("tls"));
        Path file = Files.writeString(dir.resolve("gateway.yaml"), """
                redis:
                  address: 127.0.0.1:6380
                  user: loomgate
                  password: secret-secret-secret
                  tls:
                    ca-file: tls/ca.pem
                    server-name: redis.internal
                """);
        var redis = NodeConfigParser.parse(file).redis().orElseThrow();
        assertEquals(Optional.of(dir.toAbsolutePath().resolve("tls/ca.pem")), redis.tls().caFile().map(Path::toAbsolutePath));
        assertEquals(Optional.of("redis.internal"), redis.tls().serverName());
        assertTrue(ca.caCert().toFile().isFile());
    }

    @Test
    void badTlsSettingsNameFileLineFieldAndReason() throws Exception {
        Path missing = Files.writeString(dir.resolve("missing.yaml"), """
                redis:
                  address: 127.0.0.1:6380
                  tls:
                    enabled: true
                    ca-file: nowhere.pem
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> NodeConfigParser.parse(missing));
        assertTrue(e.getMessage().contains("missing.yaml:5") && e.getMessage().contains("redis.tls.ca-file")
                && e.getMessage().contains("cannot read"), e.getMessage());

        Files.writeString(dir.resolve("garbage.pem"), "not PEM");
        Path garbage = Files.writeString(dir.resolve("garbage.yaml"), """
                redis:
                  address: 127.0.0.1:6380
                  tls:
                    ca-file: garbage.pem
                """);
        e = assertThrows(ConfigException.class, () -> NodeConfigParser.parse(garbage));
        assertTrue(e.getMessage().contains("garbage.yaml:4") && e.getMessage().contains("redis.tls.ca-file")
                && e.getMessage().contains("cannot load TLS material"),
                e.getMessage());

        Path halfClient = Files.writeString(dir.resolve("half.yaml"), """
                redis:
                  address: 127.0.0.1:6380
                  tls:
                    client-cert: garbage.pem
                """);
        e = assertThrows(ConfigException.class, () -> NodeConfigParser.parse(halfClient));
        assertTrue(e.getMessage().contains("half.yaml:") && e.getMessage().contains("client-cert and client-key go together"),
                e.getMessage());
        List.of(missing, garbage, halfClient).forEach(p -> assertTrue(p.toFile().delete()));
    }
}
