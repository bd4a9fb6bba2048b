package dev.loomgate.gateway.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/**
 * A real OAuth2 server for the identity tests: npm's {@code oauth2-mock-server} (issuer, token endpoint, JWKS,
 * discovery) run by {@code src/test/resources/oauth2-mock/launcher.mjs}, which adds RFC 7662 introspection and a
 * control port to issue tokens, rotate keys and make the JWKS endpoint misbehave. The npm package is installed
 * with {@code npm ci} (versions pinned by the committed package-lock.json) into {@code target/oauth2-mock} on first
 * use. Without node or npm (or the registry) the test fails, saying so: it is never skipped.
 */
public final class OAuth2TestServer implements AutoCloseable {
    public static final String CLIENT_ID = "gateway";
    public static final String CLIENT_SECRET = "gateway-secret-7c1d";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Object INSTALL_LOCK = new Object();

    private final Process process;
    private final URI issuer;
    private final URI control;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private OAuth2TestServer(Process process, URI issuer, URI control) {
        this.process = process;
        this.issuer = issuer;
        this.control = control;
    }

    public static OAuth2TestServer start() throws IOException, InterruptedException {
        Path dir = install();
        Process p = new ProcessBuilder("node", "launcher.mjs", CLIENT_ID + ":" + CLIENT_SECRET).directory(dir.toFile())
                .redirectError(dir.resolve("launcher.log").toFile()).start();
        CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String line;
        try {
            line = firstLine.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            line = null;
        }
        if (line == null) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new IllegalStateException("the OAuth2 test server did not start; see " + dir.resolve("launcher.log")
                    + ": " + tail(dir.resolve("launcher.log")));
        }
        JsonObject ready = Json.createReader(new StringReader(line)).readObject();
        return new OAuth2TestServer(p, URI.create(ready.getString("issuer")),
                URI.create("http://127.0.0.1:" + ready.getInt("control")));
    }

    /** Copies the launcher next to its node_modules under target/ and runs npm ci when the lock file changed. */
    private static Path install() throws IOException, InterruptedException {
        Path resources;
        try {
            resources = Path.of(OAuth2TestServer.class.getResource("/oauth2-mock/launcher.mjs").toURI()).getParent();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource oauth2-mock/launcher.mjs is missing", e);
        }
        Path dir = resources.getParent().getParent().resolve("oauth2-mock"); // target/oauth2-mock
        Files.createDirectories(dir);
        // one npm ci at a time, in this JVM and across JVMs (a parallel surefire fork)
        synchronized (INSTALL_LOCK) {
            try (FileChannel lockFile = FileChannel.open(dir.resolve(".install.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                return installLocked(resources, dir);
            }
        }
    }

    private static Path installLocked(Path resources, Path dir) throws IOException, InterruptedException {
        for (String f : List.of("launcher.mjs", "package.json", "package-lock.json")) {
            Files.copy(resources.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        Path installed = dir.resolve("node_modules/.package-lock.json");
        if (Files.exists(installed) && Files.readString(installed).contains("\"oauth2-mock-server\"")
                && Files.getLastModifiedTime(installed).compareTo(
                Files.getLastModifiedTime(resources.resolve("package-lock.json"))) >= 0) {
            return dir;
        }
        Path log = dir.resolve("npm-ci.log");
        Process npm;
        try {
            npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("npm is needed for the identity tests (it installs oauth2-mock-server;"
                    + " Debian: apt-get install nodejs npm, Node >= 20.19): " + e.getMessage(), e);
        }
        if (!npm.waitFor(180, TimeUnit.SECONDS)) {
            npm.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new IllegalStateException("npm ci of oauth2-mock-server took over 180 s (registry unreachable?); "
                    + tail(log));
        }
        if (npm.exitValue() != 0) {
            throw new IllegalStateException("npm ci of oauth2-mock-server failed (exit " + npm.exitValue()
                    + "; is the npm registry reachable?): " + tail(log));
        }
        return dir;
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** The issuer URL, which is also the {@code iss} of its tokens. */
    public String issuer() {
        return issuer.toString();
    }

    public String jwksUrl() {
        return issuer + "/jwks";
    }

    public String introspectionUrl() {
        return issuer + "/introspect";
    }

    /** A token signed with the current key: {@code sub}, {@code aud}, {@code scope} and any other claims. */
    public String token(Map<String, Object> claims) {
        return token(claims, 600);
    }

    public String token(Map<String, Object> claims, long expiresInSeconds) {
        JsonObjectBuilder c = Json.createObjectBuilder(claims);
        return post("/token", Json.createObjectBuilder().add("claims", c).add("expiresIn", expiresInSeconds).build())
                .getString("token");
    }

    /** A token signed with the given key (which may since have been retired). */
    public String tokenWithKey(String kid, Map<String, Object> claims) {
        return post("/token", Json.createObjectBuilder().add("claims", Json.createObjectBuilder(claims))
                .add("kid", kid).build()).getString("token");
    }

    /** A new signing key; the old one stays published until {@link #retire}. Returns the new kid. */
    public String rotate() {
        return post("/rotate", Json.createObjectBuilder().build()).getString("kid");
    }

    public void retire(String kid) {
        post("/retire", Json.createObjectBuilder().add("kid", kid).build());
    }

    /** {@code normal}, {@code down} (503), {@code slow} (no answer for 30 s) or {@code garbage} (broken JSON). */
    public void jwksMode(String mode) {
        post("/jwks-mode", Json.createObjectBuilder().add("mode", mode).build());
    }

    public void revoke(String token) {
        post("/revoke", Json.createObjectBuilder().add("token", token).build());
    }

    /** The private JWK set (to forge tokens with the server's own keys in tests). */
    public JsonObject privateJwks() {
        return send(HttpRequest.newBuilder(control.resolve("/private-jwks")).GET());
    }

    /** The {@code expires_in} the token endpoint announces from now on (the tokens themselves are unchanged). */
    public void tokenTtl(long seconds) {
        post("/token-ttl", Json.createObjectBuilder().add("seconds", seconds).build());
    }

    /** How many token endpoint requests of this grant type were answered. */
    public int grants(String grantType) {
        JsonObject g = stats().getJsonObject("grants");
        return g.containsKey(grantType) ? g.getInt(grantType) : 0;
    }

    public String currentKid() {
        return stats().getString("current");
    }

    public int jwksFetches() {
        return stats().getInt("jwks");
    }

    public int introspections() {
        return stats().getInt("introspect");
    }

    private JsonObject stats() {
        return send(HttpRequest.newBuilder(control.resolve("/stats")).GET());
    }

    private JsonObject post(String path, JsonObject body) {
        return send(HttpRequest.newBuilder(control.resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    private JsonObject send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("OAuth2 test server control answered " + r.statusCode() + ": " + r.body());
            }
            return Json.createReader(new StringReader(r.body())).readObject();
        } catch (IOException e) {
            throw new IllegalStateException("OAuth2 test server control unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Closes the launcher's stdin (it exits on that), then waits; kills it only if it does not go. */
    @Override
    public void close() {
        http.close();
        try {
            process.getOutputStream().close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }
}
