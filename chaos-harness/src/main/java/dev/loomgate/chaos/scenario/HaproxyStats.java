package dev.loomgate.chaos.scenario;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Server states of one HAProxy, read from its runtime API ({@code show stat} on the admin socket) or from the
 * stats page as CSV ({@code /stats;csv}). Both give the same CSV: a {@code # pxname,svname,...} header line
 * then one line per frontend, server and backend.
 */
public final class HaproxyStats {
    private final Optional<Path> socket;
    private final Optional<URI> statsUrl;

    private HaproxyStats(Optional<Path> socket, Optional<URI> statsUrl) {
        this.socket = socket;
        this.statsUrl = statsUrl;
    }

    public static HaproxyStats socket(Path socket) {
        return new HaproxyStats(Optional.of(socket), Optional.empty());
    }

    /** {@code http://127.0.0.1:8404/stats}; {@code ;csv} is appended. */
    public static HaproxyStats url(URI statsUrl) {
        return new HaproxyStats(Optional.empty(), Optional.of(statsUrl));
    }

    /** One server line: backend, server name and status ({@code UP}, {@code DOWN}, {@code UP 1/2}, {@code MAINT}). */
    public record ServerState(String backend, String server, String status) {
        /** Taken out of rotation: DOWN (any phase), MAINT or DRAIN. */
        public boolean out() {
            return status.startsWith("DOWN") || status.startsWith("MAINT") || status.startsWith("DRAIN")
                    || status.startsWith("NOLB");
        }
    }

    public List<ServerState> servers() throws IOException {
        return parse(socket.isPresent() ? viaSocket(socket.get()) : viaHttp(statsUrl.orElseThrow()));
    }

    public Optional<ServerState> server(String name) throws IOException {
        return servers().stream().filter(s -> s.server().equals(name)).findFirst();
    }

    /** Parses {@code show stat} CSV; keeps server lines only (not FRONTEND/BACKEND summaries). */
    public static List<ServerState> parse(String csv) {
        List<ServerState> out = new ArrayList<>();
        Map<String, Integer> column = new HashMap<>();
        for (String line : csv.split("\n")) {
            if (line.startsWith("# ")) {
                String[] names = line.substring(2).split(",", -1);
                for (int i = 0; i < names.length; i++) {
                    column.put(names[i].trim(), i);
                }
                continue;
            }
            if (line.isBlank() || column.isEmpty()) {
                continue;
            }
            String[] f = line.split(",", -1);
            int px = column.getOrDefault("pxname", 0);
            int sv = column.getOrDefault("svname", 1);
            int st = column.getOrDefault("status", 17);
            if (f.length <= st || f[sv].equals("FRONTEND") || f[sv].equals("BACKEND")) {
                continue;
            }
            out.add(new ServerState(f[px], f[sv], f[st]));
        }
        return out;
    }

    /** Sends one runtime API command (stats-socket sources only) and returns HAProxy's answer. */
    public String command(String command) throws IOException {
        return send(socket.orElseThrow(() -> new IOException("runtime API commands need the HAProxy socket")), command);
    }

    /** Sets a server's admin state on this LB ({@code drain}, {@code ready}, {@code maint}). */
    public void setState(String server, String state) throws IOException {
        ServerState s = server(server).orElseThrow(() -> new IOException("HAProxy has no server " + server));
        String answer = command("set server " + s.backend() + "/" + server + " state " + state);
        if (!answer.isBlank()) {
            throw new IOException("HAProxy refused 'set server ... state " + state + "': " + answer.trim());
        }
    }

    private static String viaSocket(Path path) throws IOException {
        return send(path, "show stat");
    }

    private static String send(Path path, String command) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(path));
            ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            try (InputStream in = Channels.newInputStream(ch)) {
                return readAll(in);
            }
        }
    }

    private static String viaHttp(URI base) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(base + ";csv").toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(1000);
        try (InputStream in = c.getInputStream()) {
            return readAll(in);
        } finally {
            c.disconnect();
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        in.transferTo(buf);
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return socket.map(p -> "socket " + p).orElseGet(() -> "stats " + statsUrl.orElseThrow());
    }
}
