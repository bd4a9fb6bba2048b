package dev.loomgate.chaos.scenario;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** Variants of the cluster's routes document that differ only in their {@code version}. */
public final class RoutesDocs {
    private static final Pattern VERSION_LINE = Pattern.compile("(?m)^version:.*$");

    private RoutesDocs() {
    }

    /** The document with its top-level {@code version} set (replaced, or added as the first line). */
    public static String withVersion(String document, String version) {
        String line = "version: \"" + version + "\"";
        return VERSION_LINE.matcher(document).find()
                ? VERSION_LINE.matcher(document).replaceFirst(java.util.regex.Matcher.quoteReplacement(line))
                : line + "\n" + document;
    }

    /** Writes the variant to {@code dir/routes-<version>.yaml} and publishes it. */
    public static void push(ChaosCluster cluster, Path dir, String version) throws Exception {
        Files.createDirectories(dir);
        Path file = dir.resolve("routes-" + version + ".yaml");
        Files.writeString(file, withVersion(cluster.routesDocument(), version));
        try {
            cluster.publishRoutes(file);
        } finally {
            deleteQuietly(file);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover temp file in the run folder is harmless
        }
    }
}
