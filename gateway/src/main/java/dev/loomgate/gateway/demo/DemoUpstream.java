package dev.loomgate.gateway.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.loomgate.gateway.http.Json;

/**
 * A small HTTP service to route to in demos and local clusters. Every path answers a JSON
 * description of the request it got (so you can see what the gateway forwarded);
 * {@code /status/NNN} answers that status and {@code /delay/MS} waits first; a path containing
 * {@code /session-set/NAME/VALUE} answers {@code Loomgate-Session-Set: NAME=VALUE} (a session route with
 * {@code upstream-control} stores it);
 * {@code /cached/...} answers are cacheable for a minute and carry a {@code version} that is new on every
 * request (chaos scenario 11).
 */
public final class DemoUpstream implements AutoCloseable {
    private final HttpServer server;
    private final String name;

    private DemoUpstream(String name, String host, int port) throws IOException {
        this.name = name;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 512);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public static DemoUpstream start(String name, String host, int port) throws IOException {
        return new DemoUpstream(name, host, port);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            int status = 200;
            if (path.startsWith("/status/")) {
                status = parse(path.substring(8), 200);
            }
            if (path.startsWith("/delay/")) {
                sleep(parse(path.substring(7), 0));
            }
            long bodyBytes;
            try (InputStream in = ex.getRequestBody()) {
                bodyBytes = in.transferTo(OutputStream.nullOutputStream());
            }
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k, new ArrayList<>(v)));
            StringBuilder sb = new StringBuilder(512);
            sb.append("{\"service\":").append(Json.quote(name));
            if (path.startsWith("/cached")) {
                // a new number on every request (and in practice across the demo instances): a refetch shows
                sb.append(",\"version\":").append(System.nanoTime());
                ex.getResponseHeaders().set("Cache-Control", "max-age=60");
            }
            sb.append(",\"method\":").append(Json.quote(ex.getRequestMethod()));
            sb.append(",\"path\":").append(Json.quote(path));
            String q = ex.getRequestURI().getRawQuery();
            sb.append(",\"query\":").append(Json.quote(q == null ? "" : q));
            sb.append(",\"bodyBytes\":").append(bodyBytes);
            sb.append(",\"headers\":{");
            boolean first = true;
            for (var e : headers.entrySet()) {
                sb.append(first ? "" : ",").append(Json.quote(e.getKey().toLowerCase())).append(':')
                        .append(Json.quote(String.join(", ", e.getValue())));
                first = false;
            }
            sb.append("}}\n");
            byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.getResponseHeaders().set("X-Served-By", name);
            // .../session-set/NAME/VALUE asks a session route with upstream-control to store an attribute
            int set = path.indexOf("/session-set/");
            if (set >= 0) {
                String[] nameValue = path.substring(set + "/session-set/".length()).split("/", 2);
                if (nameValue.length == 2) {
                    ex.getResponseHeaders().set("Loomgate-Session-Set", nameValue[0] + "=" + nameValue[1]);
                }
            }
            boolean noBody = ex.getRequestMethod().equals("HEAD") || status == 204 || status == 304;
            ex.sendResponseHeaders(status, noBody ? -1 : body.length);
            if (!noBody) {
                ex.getResponseBody().write(body);
            }
        }
    }

    private static int parse(String s, int dflt) {
        try {
            return Integer.parseInt(s.replaceAll("/.*", ""));
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static void sleep(int ms) {
        try {
            Thread.sleep(Math.min(ms, 60_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** {@code DemoUpstream [--host H] PORT...}: one demo instance per port, named demo-PORT. */
    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        List<DemoUpstream> started = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--host")) {
                host = args[++i];
            } else if (args[i].equals("--help")) {
                System.out.println("usage: DemoUpstream [--host 127.0.0.1] PORT [PORT...]");
                return;
            } else {
                int port = Integer.parseInt(args[i]);
                started.add(start("demo-" + port, host, port));
                System.out.println("demo upstream listening on http://" + host + ":" + port);
            }
        }
        if (started.isEmpty()) {
            System.err.println("usage: DemoUpstream [--host 127.0.0.1] PORT [PORT...]");
            System.exit(2);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> started.forEach(DemoUpstream::close)));
        Thread.currentThread().join();
    }
}
