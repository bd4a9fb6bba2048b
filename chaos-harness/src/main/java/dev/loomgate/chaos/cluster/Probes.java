package dev.loomgate.chaos.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Talks to the cluster's processes. Loopback mode: directly from this JVM. Namespace mode: the
 * addresses exist only inside the namespaces, so HTTP goes through {@code curl} and Redis through
 * {@code redis-cli}, each run with {@code ip netns exec NS}. HAProxy's runtime API is a Unix socket
 * in the render dir, reachable from here in both modes.
 */
public final class Probes {
    private final HttpClient http;
    /** With secure backends: the throwaway CA to trust, Redis' password, Consul's token. */
    private final Optional<BackendSecurity> backends;
    private final Optional<SSLContext> tls;

    public Probes() {
        this.backends = Optional.empty();
        this.tls = Optional.empty();
        this.http = client(Optional.empty());
    }

    /** Probes for a cluster with secure backends: TLS (trusting its CA) and AUTH to Redis, HTTPS and a token to Consul. */
    public Probes(BackendSecurity backends) throws IOException {
        this.backends = Optional.of(backends);
        this.tls = Optional.of(backends.sslContext());
        this.http = client(tls);
    }

    private static HttpClient client(Optional<SSLContext> tls) {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).followRedirects(HttpClient.Redirect.NEVER);
        tls.ifPresent(b::sslContext);
        return b.build();
    }

    /** {@code https} with secure backends, else {@code http}: the Consul stand-in's scheme. */
    public String consulScheme() {
        return backends.isPresent() ? "https" : "http";
    }

    /** The headers a Consul call needs: the ACL token with secure backends. */
    public Map<String, String> consulHeaders() {
        return backends.map(b -> Map.of("X-Consul-Token", b.consulToken())).orElse(Map.of());
    }

    /** GET {@code url}, from namespace {@code netns} when present. */
    public HttpResponse get(Optional<String> netns, String url, Map<String, String> headers, Duration timeout)
            throws IOException {
        if (netns.isPresent()) {
            return curl(netns.get(), url, headers, timeout);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET();
        headers.forEach(b::header);
        try {
            var r = http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return new HttpResponse(r.statusCode(), r.headers().map(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** PUT a JSON body (Consul agent API, with its token when needed), from namespace {@code netns} when present. */
    public HttpResponse put(Optional<String> netns, String url, String json) throws IOException {
        if (netns.isPresent()) {
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns.get(), "curl", "-s", "-i",
                    "--max-time", "5", "-X", "PUT", "-H", "Content-Type: application/json", "--data-binary", json));
            backends.ifPresent(b -> cmd.addAll(List.of("--cacert", b.caFile().toString())));
            consulHeaders().forEach((k, v) -> cmd.addAll(List.of("-H", k + ": " + v)));
            cmd.add(url);
            CommandResult r = CommandResult.run(cmd, Duration.ofSeconds(10));
            if (r.exitCode() != 0) {
                throw new IOException("curl PUT " + url + " in " + netns.get() + ": exit " + r.exitCode());
            }
            return parseHttp(r.output());
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json));
        consulHeaders().forEach(rb::header);
        HttpRequest req = rb.build();
        try {
            var r = http.send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
            return new HttpResponse(r.statusCode(), r.headers().map(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** POST a JSON body (the saga smoke check), from namespace {@code netns} when present. */
    public HttpResponse post(Optional<String> netns, String url, String json, Duration timeout) throws IOException {
        return post(netns, url, json, Map.of(), timeout);
    }

    /** As {@link #post(Optional, String, String, Duration)} with request headers (an admin call's token). */
    public HttpResponse post(Optional<String> netns, String url, String json, Map<String, String> headers,
                             Duration timeout) throws IOException {
        if (netns.isPresent()) {
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns.get(), "curl", "-s", "-i",
                    "--max-time", Long.toString(Math.max(1, timeout.toSeconds())), "-X", "POST",
                    "-H", "Content-Type: application/json", "--data-binary", json));
            backends.ifPresent(b -> cmd.addAll(List.of("--cacert", b.caFile().toString())));
            headers.forEach((k, v) -> cmd.addAll(List.of("-H", k + ": " + v)));
            cmd.add(url);
            CommandResult r = CommandResult.run(cmd, timeout.plusSeconds(3));
            if (r.exitCode() != 0) {
                throw new IOException("curl POST " + url + " in " + netns.get() + ": exit " + r.exitCode());
            }
            return parseHttp(r.output());
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(rb::header);
        HttpRequest req = rb.build();
        try {
            var r = http.send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
            return new HttpResponse(r.statusCode(), r.headers().map(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Status and X-Loomgate-Node of one quick answer. */
    public record Hit(int status, String node) {
    }

    /**
     * {@code count} GETs of {@code url} in a row (one curl process in namespace mode, so the requests
     * are as close together as on loopback); a transport error is status 0.
     */
    public List<Hit> burst(Optional<String> netns, String url, int count, Map<String, String> headers)
            throws IOException {
        List<Hit> hits = new ArrayList<>();
        if (netns.isPresent()) {
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns.get(), "curl", "-s", "--max-time",
                    "3", "-w", "%{http_code} %header{x-loomgate-node}\\n"));
            backends.ifPresent(b -> cmd.addAll(List.of("--cacert", b.caFile().toString()))); // the front's CA with --secure
            headers.forEach((k, v) -> cmd.addAll(List.of("-H", k + ": " + v)));
            for (int i = 0; i < count; i++) {
                cmd.addAll(List.of("-o", "/dev/null", url)); // -o applies to one URL
            }
            CommandResult r = CommandResult.run(cmd, Duration.ofSeconds(10L + count));
            for (String line : r.output().lines().toList()) {
                String[] f = line.trim().split(" ", 2);
                if (!f[0].isEmpty()) {
                    hits.add(new Hit(Integer.parseInt(f[0]), f.length > 1 ? f[1].trim() : ""));
                }
            }
            return hits;
        }
        for (int i = 0; i < count; i++) {
            try {
                HttpResponse r = get(netns, url, headers, Duration.ofSeconds(3));
                hits.add(new Hit(r.status(), r.header("X-Loomgate-Node").orElse("")));
            } catch (IOException e) {
                hits.add(new Hit(0, ""));
            }
        }
        return hits;
    }

    /** True when GET answers 200. */
    public boolean ok(Optional<String> netns, String url) {
        try {
            return get(netns, url, Map.of(), Duration.ofSeconds(2)).status() == 200;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private HttpResponse curl(String netns, String url, Map<String, String> headers, Duration timeout)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns, "curl", "-s", "-i", "--max-time",
                String.format(java.util.Locale.ROOT, "%.1f", timeout.toMillis() / 1000.0)));
        backends.ifPresent(b -> cmd.addAll(List.of("--cacert", b.caFile().toString())));
        headers.forEach((k, v) -> cmd.addAll(List.of("-H", k + ": " + v)));
        cmd.add(url);
        CommandResult r = CommandResult.run(cmd, timeout.plusSeconds(3));
        if (r.exitCode() != 0) {
            throw new IOException("curl " + url + " in " + netns + ": exit " + r.exitCode() + " " + r.output().strip());
        }
        return parseHttp(r.output());
    }

    static HttpResponse parseHttp(String raw) throws IOException {
        String text = raw.replace("\r\n", "\n");
        int end = text.indexOf("\n\n");
        String head = end < 0 ? text : text.substring(0, end);
        String body = end < 0 ? "" : text.substring(end + 2);
        String[] lines = head.split("\n");
        String[] status = lines[0].split(" ");
        if (status.length < 2 || !status[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response: " + lines[0]);
        }
        Map<String, List<String>> h = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                h.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT),
                        k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
        }
        return new HttpResponse(Integer.parseInt(status[1]), h, body);
    }

    /**
     * One Redis command; the reply as lines (a bulk/array reply gives one line per element). With secure backends over
     * TLS, and to a data node (any command but SENTINEL: sentinels take no AUTH) after AUTH as the default user.
     */
    public List<String> redis(Optional<String> netns, String host, int port, String... args) throws IOException {
        boolean auth = backends.isPresent() && !args[0].equalsIgnoreCase("SENTINEL");
        if (netns.isPresent()) {
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns.get()));
            if (auth) {
                // redis-cli reads the password from the environment, not from its (visible) command line
                cmd.addAll(List.of("env", "REDISCLI_AUTH=" + backends.get().redisPassword()));
            }
            cmd.addAll(List.of("redis-cli", "-h", host, "-p", Integer.toString(port)));
            backends.ifPresent(b -> cmd.addAll(List.of("--tls", "--cacert", b.caFile().toString())));
            cmd.addAll(List.of(args));
            CommandResult r = CommandResult.run(cmd, Duration.ofSeconds(5));
            if (r.exitCode() != 0) {
                throw new IOException("redis-cli: exit " + r.exitCode() + " " + r.output().strip());
            }
            return r.output().lines().toList();
        }
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(host, port), 1000);
            plain.setSoTimeout(2000);
            Socket s = plain;
            if (tls.isPresent()) {
                SSLSocket ssl = (SSLSocket) tls.get().getSocketFactory().createSocket(plain, host, port, true);
                SSLParameters params = ssl.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(params);
                ssl.startHandshake();
                s = ssl;
            }
            OutputStream out = s.getOutputStream();
            if (auth) {
                out.write(command("AUTH", backends.get().redisPassword()));
            }
            out.write(command(args));
            out.flush();
            List<String> lines = new ArrayList<>();
            if (auth) {
                readReply(s.getInputStream(), new ArrayList<>());
            }
            readReply(s.getInputStream(), lines);
            return lines;
        }
    }

    private static byte[] command(String... args) {
        StringBuilder req = new StringBuilder("*" + args.length + "\r\n");
        for (String a : args) {
            req.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return req.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void readReply(InputStream in, List<String> out) throws IOException {
        String line = readLine(in);
        char type = line.charAt(0);
        String rest = line.substring(1);
        switch (type) {
            case '+', ':' -> out.add(rest);
            case '-' -> throw new IOException("redis error: " + rest);
            case '$' -> {
                int len = Integer.parseInt(rest);
                if (len >= 0) {
                    byte[] b = in.readNBytes(len + 2);
                    out.add(new String(b, 0, len, StandardCharsets.UTF_8));
                }
            }
            case '*' -> {
                int n = Integer.parseInt(rest);
                for (int i = 0; i < n; i++) {
                    readReply(in, out);
                }
            }
            default -> throw new IOException("unexpected redis reply: " + line);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c == -1 && b.size() == 0) {
            throw new IOException("redis closed the connection");
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    /** A command on HAProxy's runtime API socket; the whole answer. */
    public static String haproxy(Path socket, String command) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
            while (ch.read(buf) >= 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** Server name to status (UP, DOWN, MAINT, DRAIN, ...) of one backend, from {@code show stat}. */
    public static Map<String, String> backendStatus(Path socket, String backend) throws IOException {
        String csv = haproxy(socket, "show stat");
        List<String> lines = csv.lines().toList();
        if (lines.isEmpty() || !lines.get(0).startsWith("# ")) {
            throw new IOException("unexpected 'show stat' answer: " + csv);
        }
        List<String> cols = List.of(lines.get(0).substring(2).split(","));
        int px = cols.indexOf("pxname");
        int sv = cols.indexOf("svname");
        int st = cols.indexOf("status");
        Map<String, String> out = new LinkedHashMap<>();
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",", -1);
            if (f.length > st && f[px].equals(backend) && !f[sv].equals("BACKEND") && !f[sv].equals("FRONTEND")) {
                out.put(f[sv], f[st]);
            }
        }
        return out;
    }
}
