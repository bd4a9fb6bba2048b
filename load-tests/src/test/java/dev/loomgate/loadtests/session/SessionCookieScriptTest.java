package dev.loomgate.loadtests.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.loomgate.loadtests.ManagedProcesses;
import dev.loomgate.loadtests.Wrk;
import dev.loomgate.loadtests.WrkResult;

/** The cookie script, run by a real wrk (through {@link Wrk#withScript}) against a loopback server that counts cookies. */
class SessionCookieScriptTest {
    @TempDir
    Path dir;

    @Test
    void manyCookiesGoRoundRobinOnePerRequest() throws Exception {
        List<String> cookies = IntStream.range(0, 5).mapToObj(i -> "lg_session=v1.k1.cookie-" + i).toList();
        Map<String, AtomicLong> seen = runWrk(SessionCookieScript.lua(cookies, 2), 2, 4);
        assertEquals(new java.util.HashSet<>(cookies), seen.keySet(), "every cookie and nothing else: " + seen);
        long min = seen.values().stream().mapToLong(AtomicLong::get).min().orElseThrow();
        long max = seen.values().stream().mapToLong(AtomicLong::get).max().orElseThrow();
        assertTrue(min > 100, "wrk sent too few requests to judge: " + seen);
        // round-robin per wrk thread: counts differ only by requests in flight when wrk stopped
        assertTrue(max - min <= 4 + 2, "not round-robin: " + seen);
    }

    @Test
    void oneCookieIsAStaticRequestOnEveryRequest() throws Exception {
        String lua = SessionCookieScript.lua(List.of("lg_session=v1.k1.only"), 2);
        assertFalse(lua.contains("function request"), "no Lua per request for one cookie:\n" + lua);
        Map<String, AtomicLong> seen = runWrk(lua, 1, 2);
        assertEquals(List.of("lg_session=v1.k1.only"), List.copyOf(seen.keySet()));
        assertTrue(seen.get("lg_session=v1.k1.only").get() > 100, seen.toString());
    }

    @Test
    void refusesWhatCannotBeACookie() {
        assertThrows(IllegalArgumentException.class, () -> SessionCookieScript.lua(List.of(), 2));
        assertThrows(IllegalArgumentException.class, () -> SessionCookieScript.lua(List.of("lg_session=a\"b"), 2));
        assertThrows(IllegalArgumentException.class, () -> SessionCookieScript.lua(List.of("lg_session=a\nb"), 2));
        assertThrows(IllegalArgumentException.class, () -> SessionCookieScript.lua(List.of("lg_session=a\\b"), 2));
    }

    /** Runs wrk for 1 s with {@code lua}; the Cookie header of every request the server got, counted. */
    private Map<String, AtomicLong> runWrk(String lua, int threads, int connections) throws Exception {
        Map<String, AtomicLong> seen = new ConcurrentHashMap<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", ex -> {
            String cookie = String.valueOf(ex.getRequestHeaders().getFirst("Cookie"));
            seen.computeIfAbsent(cookie, c -> new AtomicLong()).incrementAndGet();
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            } catch (IOException e) {
                // wrk closed the connection at its end
            }
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        Path script = dir.resolve("cookies.lua");
        Files.writeString(script, lua);
        try (ManagedProcesses processes = new ManagedProcesses()) {
            Wrk wrk = new Wrk(processes, dir, threads, connections).withScript(script);
            WrkResult r = wrk.run("cookies", "http://127.0.0.1:" + server.getAddress().getPort() + "/x", 1);
            long received = seen.values().stream().mapToLong(AtomicLong::get).sum();
            assertTrue(received >= r.requests(), "server got " + received + ", wrk completed " + r.requests());
        } finally {
            server.stop(0);
        }
        return seen;
    }
}
