package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The JDK ahead-of-time cache (JEP 483/514/515: classes loaded and linked, method profiles) of the gateway jar,
 * made once per jar build by a training run and used by every node start ({@code -XX:AOTCache=FILE}).
 *
 * <p>The cache lives in {@code target/aot/} next to the jar, named by the SHA-256 of the jar (its manifest lists
 * the library jars with their versions), of the JVM flags (a cache only fits the flags it was trained with) and
 * the JDK version: a rebuilt jar gets a new name, so a stale cache is never used; older caches in the directory
 * are deleted when a new one is made. The training run is {@code dev.loomgate.gateway.warmup.AotTraining} (a node
 * in front of in-process demo upstreams on 127.0.0.1, driven with keep-alive traffic, then drained), started with
 * {@code -XX:AOTCacheOutput}. On a JDK before 25, or with {@code LOOMGATE_AOT_CACHE=off}, there is no cache and
 * nodes start as before; a training run that fails is reported and nodes start without a cache.
 *
 * <p>{@code -Xshare:*} cannot be combined with the AOT options, so the flags given here must not contain it.
 */
public final class AotCache {
    /** The JDK whose {@code -XX:AOTCacheOutput} (JEP 514) makes a cache in one run. */
    public static final int MIN_FEATURE = 25;
    public static final String DISABLE_ENV = "LOOMGATE_AOT_CACHE";
    static final String TRAINING_MAIN = "dev.loomgate.gateway.warmup.AotTraining";
    static final int TRAINING_REQUESTS = 8_000;
    private static final long TRAINING_TIMEOUT_SECONDS = 600;

    private AotCache() {
    }

    /** Whether AOT caches are used: a JDK 25 or later runs the harness and {@code LOOMGATE_AOT_CACHE} is not {@code off}. */
    public static boolean enabled() {
        return supported(Runtime.version().feature()) && !"off".equalsIgnoreCase(System.getenv(DISABLE_ENV));
    }

    static boolean supported(int jdkFeature) {
        return jdkFeature >= MIN_FEATURE;
    }

    /** Where the cache of this jar, these flags and this JDK lives (whether or not it exists yet). */
    public static Path location(Path jar, List<String> jvmFlags) throws IOException {
        return jar.toAbsolutePath().getParent().resolve("aot").resolve(fileName(sha256(jar), jvmFlags,
                Runtime.version().toString()));
    }

    /** {@code loomgate-gateway-<jar sha, 16 hex>-<flags sha, 8 hex>-jdk<version>.aot}. */
    static String fileName(String jarSha256, List<String> jvmFlags, String jdkVersion) {
        String flags = HexFormat.of().formatHex(digest(String.join("\u0000", jvmFlags)
                .getBytes(StandardCharsets.UTF_8))).substring(0, 8);
        return "loomgate-gateway-" + jarSha256.substring(0, 16) + "-" + flags + "-jdk"
                + jdkVersion.replaceAll("[^A-Za-z0-9.]", "_") + ".aot";
    }

    /**
     * The cache for this jar and these flags, trained now when missing; empty when AOT caches are off or the
     * training failed (then nodes start without one).
     *
     * @param java     the java launcher nodes run with (same JDK as the harness)
     * @param jvmFlags the node's JVM flags, without {@code -Xshare} (the cache must be made with the same ones)
     */
    public static Optional<Path> ensure(Path java, Path jar, List<String> jvmFlags, Consumer<String> progress)
            throws IOException {
        if (!enabled()) {
            progress.accept("AOT cache: off (" + (supported(Runtime.version().feature())
                    ? DISABLE_ENV + "=off" : "JDK " + Runtime.version().feature() + " < " + MIN_FEATURE) + ")");
            return Optional.empty();
        }
        for (String f : jvmFlags) {
            if (f.startsWith("-Xshare")) {
                throw new IllegalArgumentException("-Xshare cannot be combined with an AOT cache: " + f);
            }
        }
        Path cache = location(jar, jvmFlags);
        if (Files.isRegularFile(cache) && Files.size(cache) > 0) {
            progress.accept("AOT cache: " + cache.getFileName());
            return Optional.of(cache);
        }
        Path dir = Files.createDirectories(cache.getParent());
        removeStale(dir, cache);
        Path tmp = dir.resolve(cache.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Path log = dir.resolve("training.log");
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-XX:AOTCacheOutput=" + tmp, "-cp", jar.toAbsolutePath().toString(), TRAINING_MAIN,
                "--requests", Integer.toString(TRAINING_REQUESTS)));
        progress.accept("AOT cache: training run for " + jar.getFileName() + " (" + TRAINING_REQUESTS
                + " requests through a node; log " + log + ")");
        long started = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            boolean done = p.waitFor(TRAINING_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            if (!done || p.exitValue() != 0 || !Files.isRegularFile(tmp)) {
                progress.accept("AOT cache: training run failed (" + (done ? "exit " + p.exitValue() : "timed out")
                        + ", see " + log + "); nodes start without a cache");
                Files.deleteIfExists(tmp);
                return Optional.empty();
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            Files.deleteIfExists(tmp);
            throw new IOException("interrupted during the AOT training run", e);
        }
        Files.move(tmp, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        progress.accept("AOT cache: made " + cache.getFileName() + " (" + Files.size(cache) / (1024 * 1024) + " MiB) in "
                + (System.nanoTime() - started) / 1_000_000_000 + " s");
        return Optional.of(cache);
    }

    /**
     * Caches of other jar builds: never used again. Caches of this build with other flags stay (bin/run-demo's
     * node runs with other flags than the cluster's, through bin/lib/aot-cache.sh, which names them the same way).
     */
    private static void removeStale(Path dir, Path keep) throws IOException {
        String name = keep.getFileName().toString();
        String build = name.substring(0, "loomgate-gateway-".length() + 17); // up to the jar checksum and its dash
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith("loomgate-gateway-") && n.endsWith(".aot") && !n.startsWith(build)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static byte[] digest(byte[] bytes) {
        return sha256().digest(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }
}
