package dev.loomgate.chaos.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.loomgate.testsupport.Await;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * Debian's {@code chromium} in headless mode, driven over the DevTools protocol with the JDK's
 * WebSocket (no Selenium, no driver download). Collects console errors ({@code Runtime.consoleAPICalled}
 * of type error, {@code Runtime.exceptionThrown}, {@code Log.entryAdded} of level error: failed loads,
 * CSP violations) for the test to assert on. Used by the cluster-page test and the dashboard test (Prometheus's graph
 * page).
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
    private final List<String> consoleErrors = new CopyOnWriteArrayList<>();

    private HeadlessChromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    /** Starts chromium with a fresh profile and attaches to its first page. */
    public static HeadlessChromium start(int width, int height) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(Path.of("/tmp"), "lg-chromium");
        List<String> cmd = new ArrayList<>(List.of("chromium", "--headless=new", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "--no-first-run", "--no-default-browser-check", "--disable-gpu",
                "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--window-size=" + width + "," + height, "about:blank"));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.add(1, "--no-sandbox"); // Chromium refuses to run its sandbox as root
        }
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String browserWs = awaitListening(p);
            URI http = URI.create(browserWs.replaceFirst("^ws://", "http://"));
            String list = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + http.getAuthority() + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String pageWs;
            try (var r = Json.createReader(new StringReader(list))) {
                pageWs = r.readArray().stream().map(JsonValue::asJsonObject)
                        .filter(o -> o.getString("type").equals("page")).findFirst()
                        .orElseThrow(() -> new IOException("chromium has no page: " + list))
                        .getString("webSocketDebuggerUrl");
            }
            Listener listener = new Listener();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create(pageWs), listener).get(20, TimeUnit.SECONDS);
            HeadlessChromium c = new HeadlessChromium(p, profile, ws);
            listener.owner = c;
            c.call("Runtime.enable", Json.createObjectBuilder().build());
            c.call("Log.enable", Json.createObjectBuilder().build());
            c.call("Page.enable", Json.createObjectBuilder().build());
            return c;
        } catch (IOException | InterruptedException | RuntimeException e) {
            p.destroyForcibly();
            deleteTree(profile);
            throw e;
        } catch (Exception e) {
            p.destroyForcibly();
            deleteTree(profile);
            throw new IOException("attaching to chromium failed: " + e, e);
        }
    }

    private static String awaitListening(Process p) throws IOException {
        CompletableFuture<String> found = new CompletableFuture<>();
        StringBuilder seen = new StringBuilder();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        found.complete(m.group(1));
                    } else if (!found.isDone()) {
                        synchronized (seen) {
                            seen.append(line).append('\n');
                        }
                    }
                }
            } catch (IOException e) {
                found.completeExceptionally(e);
            }
            found.completeExceptionally(new IOException("chromium exited"));
        });
        try {
            return found.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            synchronized (seen) {
                throw new IOException("chromium did not open its DevTools port: " + e + "\n" + seen, e);
            }
        }
    }

    /** Sends one DevTools command and waits for its result. */
    public JsonObject call(String method, JsonObject params) throws IOException {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonObject> answer = new CompletableFuture<>();
        pending.put(id, answer);
        String msg = Json.createObjectBuilder().add("id", id).add("method", method).add("params", params).build().toString();
        socket.sendText(msg, true).join();
        try {
            JsonObject o = answer.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (o.containsKey("error")) {
                throw new IOException(method + " failed: " + o.get("error"));
            }
            return o.getJsonObject("result");
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(method + " got no answer: " + e, e);
        } finally {
            pending.remove(id);
        }
    }

    /** Opens {@code url} and waits for its load event. */
    public void navigate(String url) throws IOException {
        call("Page.navigate", Json.createObjectBuilder().add("url", url).build());
        Await.until("the page has loaded", Duration.ofSeconds(20),
                () -> "complete".equals(evaluate("document.readyState")));
    }

    /** Evaluates a JavaScript expression in the page; its value as a string (JSON.stringify it for objects). */
    public String evaluate(String expression) {
        try {
            JsonObject r = call("Runtime.evaluate", Json.createObjectBuilder().add("expression", expression)
                    .add("returnByValue", true).build());
            if (r.containsKey("exceptionDetails")) {
                throw new IllegalStateException("script failed: " + r.get("exceptionDetails"));
            }
            JsonValue v = r.getJsonObject("result").get("value");
            return v == null ? "" : v.getValueType() == JsonValue.ValueType.STRING ? r.getJsonObject("result").getString("value")
                    : v.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PNG of the whole page. */
    public void screenshot(Path file) throws IOException {
        JsonObject r = call("Page.captureScreenshot", Json.createObjectBuilder().add("format", "png")
                .add("captureBeyondViewport", true).build());
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(r.getString("data")));
    }

    public List<String> consoleErrors() {
        return List.copyOf(consoleErrors);
    }

    private void event(JsonObject o) {
        String method = o.getString("method", "");
        JsonObject params = o.getJsonObject("params");
        switch (method) {
            case "Runtime.consoleAPICalled" -> {
                if (params.getString("type", "").equals("error") || params.getString("type", "").equals("assert")) {
                    consoleErrors.add("console." + params.getString("type") + ": " + params.get("args"));
                }
            }
            case "Runtime.exceptionThrown" -> consoleErrors.add("exception: " + params.get("exceptionDetails"));
            case "Log.entryAdded" -> {
                JsonObject entry = params.getJsonObject("entry");
                if (entry.getString("level", "").equals("error")) {
                    consoleErrors.add("log (" + entry.getString("source", "") + "): " + entry.getString("text", "")
                            + " " + entry.getString("url", ""));
                }
            }
            default -> {
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the process is stopped below either way
        }
        List<ProcessHandle> helpers = process.descendants().toList(); // renderers, zygote, GPU process
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        helpers.forEach(ProcessHandle::destroyForcibly);
        deleteTree(profile);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temp profile
        }
    }

    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        private volatile HeadlessChromium owner;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                JsonObject o;
                try (var r = Json.createReader(new StringReader(text))) {
                    o = r.readObject();
                }
                HeadlessChromium c = owner;
                if (o.containsKey("id")) {
                    CompletableFuture<JsonObject> f = c == null ? null : c.pending.get(o.getInt("id"));
                    if (f != null) {
                        f.complete(o);
                    }
                } else if (c != null) {
                    c.event(o);
                }
            }
            ws.request(1);
            return null;
        }
    }
}
