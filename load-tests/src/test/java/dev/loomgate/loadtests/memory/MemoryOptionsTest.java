package dev.loomgate.loadtests.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class MemoryOptionsTest {
    private static final Path ROOT = Path.of("/repo");

    private static MemoryOptions parse(String... args) {
        return MemoryOptions.parse(args, ROOT);
    }

    @Test
    void defaultsAreTheGoal() {
        MemoryOptions o = parse();
        assertEquals(10_000, o.idleConnections());
        assertEquals(1000, o.rate());
        assertEquals(30, o.durationSec());
        assertEquals(4, o.sources());
        assertTrue(o.nginx());
        assertFalse(o.nmt());
        assertEquals(List.of("-XX:+UseZGC", "-Xmx512m", "-XX:SoftMaxHeapSize=160m"), o.gatewayJvmOpts());
    }

    /** The benchmark measures the node as deployed: the Ansible role's and the package's JVM options. */
    @Test
    void defaultJvmOptionsAreTheDeployedOnes() throws java.io.IOException {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        String ansible = java.nio.file.Files.readAllLines(repo.resolve("ansible/roles/gateway/defaults/main.yml"))
                .stream().filter(l -> l.startsWith("gateway_java_opts:")).findFirst().orElseThrow()
                .replaceFirst("^gateway_java_opts:\\s*", "").replace("\"", "");
        String deb = java.nio.file.Files.readAllLines(repo.resolve("packaging/loomgate-gateway/default"))
                .stream().filter(l -> l.startsWith("LOOMGATE_JAVA_OPTS=")).findFirst().orElseThrow()
                .replaceFirst("^LOOMGATE_JAVA_OPTS=", "").replace("\"", "");
        String bench = String.join(" ", MemoryOptions.DEFAULT_JVM_OPTS);
        assertEquals(bench, ansible, "ansible gateway_java_opts");
        assertEquals(bench + " -XX:+ExitOnOutOfMemoryError", deb, "the package's LOOMGATE_JAVA_OPTS");
    }

    @Test
    void quickNmtAndOverrides() {
        MemoryOptions o = parse("--quick", "--nmt", "--no-nginx", "--idle-connections", "500", "--sources", "2",
                "--gateway-jvm-opts", "-Xmx128m");
        assertEquals(10, o.durationSec());
        assertFalse(o.nginx());
        assertEquals(500, o.idleConnections());
        assertEquals(2, o.sources());
        assertEquals(List.of("-Xmx128m", "-XX:NativeMemoryTracking=summary"), o.gatewayJvmOpts());
        assertEquals(20, parse("--quick", "--duration", "20").durationSec());
    }

    @Test
    void badInputGetsAClearError() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--sources", "251")).getMessage().contains("at most 250"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--idle-connections", "70000")).getMessage().contains("60000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--idle-connections", "0")).getMessage().contains("> 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--rate", "fast")).getMessage().contains("--rate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--what")).getMessage().contains("unknown option"));
    }

    @Test
    void sourcesRotateFrom127002() throws Exception {
        assertEquals("127.0.0.2", IdleConnections.source(0, 4).getHostAddress());
        assertEquals("127.0.0.5", IdleConnections.source(3, 4).getHostAddress());
        assertEquals("127.0.0.2", IdleConnections.source(4, 4).getHostAddress());
    }
}
