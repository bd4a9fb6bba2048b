package dev.loomgate.gateway.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomgate.testsupport.Await;
import dev.loomgate.testsupport.OpensslCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real redis-server and Sentinel with {@code tls-port}: trust through a private CA, host names checked, mTLS. */
class RedisTlsTest {
    @TempDir
    static Path dir;
    private static RedisTestServers servers;
    private static OpensslCa ca;
    private static OpensslCa.Leaf byIp;
    private static OpensslCa.Leaf byName;
    private static OpensslCa.Leaf client;
    private static RedisTestServers.Server redis;
    private static int tlsPort;

    @BeforeAll
    static void start() {
        ca = OpensslCa.create(dir.resolve("ca"));
        byIp = ca.issue("redis-ip", List.of("IP:127.0.0.1"));
        byName = ca.issue("redis-name", List.of("DNS:redis.test"));
        client = ca.issue("gateway", List.of("DNS:gateway.test"));
        servers = RedisTestServers.create();
        tlsPort = RedisTestServers.freePort();
        redis = servers.startServer(tlsArgs(tlsPort, byIp, "no"));
    }

    @AfterAll
    static void stop() {
        servers.close();
    }

    private static List<String> tlsArgs(int port, OpensslCa.Leaf leaf, String authClients) {
        return List.of("--tls-port", Integer.toString(port), "--tls-cert-file", leaf.cert().toString(),
                "--tls-key-file", leaf.key().toString(), "--tls-ca-cert-file", ca.caCert().toString(),
                "--tls-auth-clients", authClients, "--tls-replication", "yes");
    }

    private static Optional<Duration> ping(RedisSettings settings) {
        try (RedisConnections c = RedisConnections.open(settings)) {
            return c.ping();
        }
    }

    private static RedisSettings.Builder standalone(int port) {
        return RedisSettings.builder(new RedisTopology.Standalone(new RedisAddress("127.0.0.1", port)))
                .connectTimeout(Duration.ofSeconds(2)).readTimeout(Duration.ofSeconds(2));
    }

    private static RedisTls trusting(Optional<String> serverName, Optional<OpensslCa.Leaf> clientCert) {
        return new RedisTls(true, Optional.of(ca.caCert()), serverName, clientCert.map(OpensslCa.Leaf::cert),
                clientCert.map(OpensslCa.Leaf::key));
    }

    @Test
    void privateCaTrustedThroughCaFile() {
        assertTrue(ping(standalone(tlsPort).tls(trusting(Optional.empty(), Optional.empty())).build()).isPresent());
        assertTrue(ping(standalone(tlsPort).tls(true).build()).isEmpty(),
                "tls: true trusts only the JVM's CAs, not the private one");
        assertTrue(ping(standalone(tlsPort).build()).isEmpty(), "plain text to the TLS port gets no answer");
    }

    @Test
    void hostNameIsVerified() {
        int port = RedisTestServers.freePort();
        RedisTestServers.Server named = servers.startServer(tlsArgs(port, byName, "no"));
        assertTrue(ping(standalone(port).tls(trusting(Optional.empty(), Optional.empty())).build()).isEmpty(),
                "a certificate for redis.test does not pass for 127.0.0.1");
        assertTrue(ping(standalone(port).tls(trusting(Optional.of("redis.test"), Optional.empty())).build())
                .isPresent(), "server-name names the host the certificate is for");
        servers.kill(named);
    }

    @Test
    void clientCertificateWhenRedisRequiresOne() {
        int port = RedisTestServers.freePort();
        RedisTestServers.Server strict = servers.startServer(tlsArgs(port, byIp, "yes"));
        assertTrue(ping(standalone(port).tls(trusting(Optional.empty(), Optional.empty())).build()).isEmpty(),
                "tls-auth-clients yes refuses a client without certificate");
        assertTrue(ping(standalone(port).tls(trusting(Optional.empty(), Optional.of(client))).build()).isPresent());
        servers.kill(strict);
    }

    @Test
    void sentinelsOverTls() {
        int sentinelTls = RedisTestServers.freePort();
        List<RedisTestServers.Server> sentinels = servers.startSentinels(1, "lg", redis, tlsPort, List.of(
                "tls-port " + sentinelTls, "tls-cert-file " + byIp.cert(), "tls-key-file " + byIp.key(),
                "tls-ca-cert-file " + ca.caCert(), "tls-auth-clients no", "tls-replication yes"));
        RedisSettings viaSentinel = RedisSettings.builder(new RedisTopology.Sentinel("lg",
                        List.of(new RedisAddress("127.0.0.1", sentinelTls))))
                .tls(trusting(Optional.empty(), Optional.empty()))
                .connectTimeout(Duration.ofSeconds(2)).readTimeout(Duration.ofSeconds(2)).build();
        try (RedisConnections c = RedisConnections.open(viaSentinel)) {
            Await.until("pool via a TLS sentinel", Duration.ofSeconds(10), () -> c.ping().isPresent());
            assertEquals(Optional.of(new RedisAddress("127.0.0.1", tlsPort)), c.currentMaster());
        }
        RedisSettings plainSentinel = viaSentinel.toBuilder().sentinelTls(false).build();
        assertTrue(ping(plainSentinel).isEmpty(), "the sentinel's TLS port does not speak plain text");
        sentinels.forEach(servers::kill);
    }

    @Test
    void configMapFormAndErrors() throws Exception {
        Path base = ca.caCert().getParent();
        RedisSettings s = RedisSettings.fromMap(Map.of("address", "127.0.0.1:" + tlsPort, "tls",
                Map.of("ca-file", "ca.pem", "server-name", "redis.test", "client-cert", "gateway.pem",
                        "client-key", "gateway.key")), base);
        assertEquals(Optional.of(base.resolve("ca.pem")), s.tls().caFile());
        assertEquals(Optional.of("redis.test"), s.tls().serverName());
        assertTrue(s.tls().enabled());
        assertFalse(RedisSettings.fromMap(Map.of("address", "h:1", "tls", Map.of("enabled", false))).tls().enabled());
        assertTrue(RedisSettings.fromMap(Map.of("address", "h:1", "tls", true)).tls().caFile().isEmpty(),
                "tls: true keeps working: the JVM's trust store");
        assertError("redis.tls.ca-file: cannot read", Map.of("address", "h:1", "tls", Map.of("ca-file", "nope.pem")),
                base);
        assertError("redis.tls.client-key: client-cert and client-key go together",
                Map.of("address", "h:1", "tls", Map.of("client-cert", "gateway.pem")), base);
        assertError("redis.tls.cafile: unknown key", Map.of("address", "h:1", "tls", Map.of("cafile", "ca.pem")),
                base);
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate");
        assertError("redis.tls.ca-file: cannot load TLS material", Map.of("address", "h:1", "tls",
                Map.of("ca-file", garbage.toString())), base);
        assertError("redis.tls: expected true, false or a map", Map.of("address", "h:1", "tls", "yes please"), base);
    }

    private static void assertError(String expected, Map<String, ?> map, Path base) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisSettings.fromMap(map, base));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }
}
