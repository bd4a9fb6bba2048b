package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cache's name (what makes a cache stale) and the JDK gate; the training run itself is exercised by the cluster. */
class AotCacheTest {
    private static final String SHA = "0123456789abcdef".repeat(4);
    private static final List<String> FLAGS = List.of("-XX:+UseSerialGC", "-Xmx256m");

    @Test
    void theNameChangesWithTheJarTheFlagsAndTheJdk() {
        String name = AotCache.fileName(SHA, FLAGS, "25.0.3+9-LTS");
        assertTrue(name.matches("loomgate-gateway-0123456789abcdef-[0-9a-f]{8}-jdk25\\.0\\.3_9_LTS\\.aot"), name);
        assertNotEquals(name, AotCache.fileName("f" + SHA.substring(1), FLAGS, "25.0.3+9-LTS"));
        assertNotEquals(name, AotCache.fileName(SHA, List.of("-XX:+UseSerialGC", "-Xmx512m"), "25.0.3+9-LTS"));
        assertNotEquals(name, AotCache.fileName(SHA, FLAGS, "26+1"));
        assertEquals(name, AotCache.fileName(SHA, List.copyOf(FLAGS), "25.0.3+9-LTS"));
    }

    @Test
    void theLocationIsUnderTargetNextToTheJarAndFollowsItsContent(@TempDir Path dir) throws IOException {
        Path jar = dir.resolve("loomgate-gateway.jar");
        Files.writeString(jar, "one build");
        Path first = AotCache.location(jar, FLAGS);
        assertEquals(dir.resolve("aot"), first.getParent());
        Files.writeString(jar, "another build");
        assertNotEquals(first, AotCache.location(jar, FLAGS));
    }

    @Test
    void onlyJdk25AndLaterHaveTheCache() {
        assertFalse(AotCache.supported(21));
        assertFalse(AotCache.supported(24));
        assertTrue(AotCache.supported(25));
        assertTrue(AotCache.supported(26));
    }

    @Test
    void xshareIsRefusedBecauseTheJvmRefusesIt(@TempDir Path dir) throws IOException {
        Path jar = Files.writeString(dir.resolve("g.jar"), "x");
        if (AotCache.enabled()) {
            assertThrows(IllegalArgumentException.class, () -> AotCache.ensure(Path.of("java"), jar,
                    List.of("-Xshare:auto"), s -> { }));
        }
    }
}
