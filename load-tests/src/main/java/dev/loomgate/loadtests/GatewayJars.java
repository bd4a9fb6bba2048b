package dev.loomgate.loadtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/** Checks on a gateway jar before the benchmark starts it. */
final class GatewayJars {
    private GatewayJars() {
    }

    /**
     * The entries of the jar's manifest {@code Class-Path} (the gateway's {@code libs/...}) that are not next
     * to it: a jar copied without its libs would otherwise only fail once started, with a NoClassDefFoundError.
     */
    static List<String> missingClassPath(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String classPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (classPath == null || classPath.isBlank()) {
                return List.of();
            }
            Path dir = jar.toAbsolutePath().getParent();
            return Stream.of(classPath.trim().split("\\s+"))
                    .filter(entry -> !Files.exists(dir.resolve(entry)))
                    .toList();
        }
    }

    /** Fails with a readable message unless {@code jar} exists with every library its manifest names. */
    static void check(String what, Path jar, String howToBuild) {
        if (!Files.isRegularFile(jar)) {
            throw new BenchFailure(what + " " + jar + " not found: " + howToBuild);
        }
        List<String> missing;
        try {
            missing = missingClassPath(jar);
        } catch (IOException e) {
            throw new BenchFailure(what + " " + jar + " is not a readable jar: " + e.getMessage());
        }
        if (!missing.isEmpty()) {
            throw new BenchFailure(what + " " + jar + " lacks " + missing.size() + " librar"
                    + (missing.size() == 1 ? "y" : "ies") + " its manifest names (first: " + missing.getFirst()
                    + "); keep the libs/ directory the build writes next to the jar");
        }
    }
}
