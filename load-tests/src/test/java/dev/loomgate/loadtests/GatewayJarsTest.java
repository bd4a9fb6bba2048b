package dev.loomgate.loadtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The preflight check that a gateway jar comes with the libraries its manifest names. */
class GatewayJarsTest {
    @TempDir
    Path dir;

    private Path jar(String classPath) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        Path jar = dir.resolve("loomgate-gateway.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            return jar;
        }
    }

    @Test
    void libsNextToTheJarAreFound() throws IOException {
        Path jar = jar("libs/a-1.0.jar libs/b-2.0.jar");
        Files.createDirectories(dir.resolve("libs"));
        Files.writeString(dir.resolve("libs/a-1.0.jar"), "");
        Files.writeString(dir.resolve("libs/b-2.0.jar"), "");
        assertEquals(List.of(), GatewayJars.missingClassPath(jar));
        GatewayJars.check("baseline jar", jar, "build it");
    }

    @Test
    void aJarCopiedWithoutItsLibsIsRefusedBeforeItStarts() throws IOException {
        Path jar = jar("libs/a-1.0.jar libs/snakeyaml-2.4.jar");
        Files.createDirectories(dir.resolve("libs"));
        Files.writeString(dir.resolve("libs/a-1.0.jar"), "");
        assertEquals(List.of("libs/snakeyaml-2.4.jar"), GatewayJars.missingClassPath(jar));
        var e = assertThrows(BenchFailure.class, () -> GatewayJars.check("baseline jar", jar, "build it"));
        assertTrue(e.getMessage().contains("lacks 1 library") && e.getMessage().contains("libs/snakeyaml-2.4.jar"),
                e.getMessage());
    }

    @Test
    void missingJarSaysHowToBuildIt() {
        var e = assertThrows(BenchFailure.class,
                () -> GatewayJars.check("baseline jar", dir.resolve("nope.jar"), "bin/bench-proxy --baseline-ref REF builds one"));
        assertTrue(e.getMessage().endsWith("not found: bin/bench-proxy --baseline-ref REF builds one"), e.getMessage());
    }
}
