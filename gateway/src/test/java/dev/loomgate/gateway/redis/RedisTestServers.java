package dev.loomgate.gateway.redis;

import dev.loomgate.testsupport.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import dev.loomgate.gateway.testing.RefusingPort;


/**
 * Real redis-server and Sentinel processes on loopback for tests. Each server gets a free port and its own temp dir
 * ({@code --save "" --appendonly no}); sentinels get a config copied from {@code redis/sentinel-template.conf} per
 * start. Every process is tracked and killed by {@link #close()}, and by a JVM shutdown hook if a test forgets.
 *
 * <pre>
 * try (RedisTestServers servers = RedisTestServers.create()) {
 *     Server master = servers.startServer();
 *     Server replica = servers.startReplica(master);
 *     List&lt;Server&gt; sentinels = servers.startSentinels(3, "lg", master);
 *     servers.kill(master);              // destroyForcibly, like kill -9
 *     servers.restart(master);           // same port, empty data
 * }
 * </pre>
 */
public final class RedisTestServers implements AutoCloseable {
    private static final Set<Process> ALL = ConcurrentHashMap.newKeySet();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ALL.forEach(Process::destroyForcibly)));
    }

    /** A started process; {@link #port()} stays the same across {@link #restart}. */
    public static final class Server {
        private final String kind;
        private final int port;
        private final Path dir;
        private final List<String> command;
        private volatile Process process;
        // between kill and restart: the port, so no other test JVM binds it meanwhile
        private volatile Optional<RefusingPort> held = Optional.empty();

        private Server(String kind, int port, Path dir, List<String> command) {
            this.kind = kind;
            this.port = port;
            this.dir = dir;
            this.command = List.copyOf(command);
        }

        public int port() {
            return port;
        }

        public Path dir() {
            return dir;
        }

        public String kind() {
            return kind;
        }

        public RedisAddress address() {
            return new RedisAddress("127.0.0.1", port);
        }

        public boolean alive() {
            Process p = process;
            return p != null && p.isAlive();
        }

        public long pid() {
            return process.pid();
        }

        @Override
        public String toString() {
            return kind + "@127.0.0.1:" + port;
        }
    }

    private final Path root;
    private final String redisServer;
    private final List<Server> servers = new ArrayList<>();

    private RedisTestServers(Path root, String redisServer) {
        this.root = root;
        this.redisServer = redisServer;
    }

    /** Fails with a clear message when redis-server is not installed. */
    public static RedisTestServers create() {
        String binary = findRedisServer().orElseThrow(() -> new IllegalStateException(
                "redis-server is not installed (looked on PATH and in /usr/bin, /usr/local/bin); "
                        + "install it with: apt-get install -y redis-server redis-sentinel"));
        try {
            return new RedisTestServers(Files.createTempDirectory("loomgate-redis-"), binary);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temp dir for Redis test servers", e);
        }
    }

    public static Optional<String> findRedisServer() {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                if (!d.isEmpty()) {
                    candidates.add(Path.of(d, "redis-server"));
                }
            }
        }
        candidates.add(Path.of("/usr/bin/redis-server"));
        candidates.add(Path.of("/usr/local/bin/redis-server"));
        return candidates.stream().filter(Files::isExecutable).map(Path::toString).findFirst();
    }

    /** A standalone master (no persistence). */
    public synchronized Server startServer() {
        return startOnFreePort(port -> server("redis", port, List.of()));
    }

    /** A standalone master with extra command-line options, e.g. {@code --tls-port} and the certificate files. */
    public synchronized Server startServer(List<String> extra) {
        return startOnFreePort(port -> server("redis", port, extra));
    }

    /** A standalone master on a given port, e.g. one a client was pointed at before the server existed. */
    public synchronized Server startServer(int port) {
        Server s = server("redis", port, List.of());
        launch(s);
        servers.add(s);
        return s;
    }

    /** A replica of {@code master}; returns once it reports a finished sync. */
    public synchronized Server startReplica(Server master) {
        Server replica = startOnFreePort(port -> server("replica", port,
                List.of("--replicaof", "127.0.0.1", Integer.toString(master.port()))));
        Await.until("replica " + replica + " in sync with " + master, START_TIMEOUT,
                () -> info(replica.port(), "replication").contains("master_link_status:up"));
        return replica;
    }

    /** {@code count} sentinels monitoring {@code master} under {@code masterName}, quorum = majority. */
    public synchronized List<Server> startSentinels(int count, String masterName, Server master) {
        return startSentinels(count, masterName, master, master.port(), List.of());
    }

    /**
     * {@code count} sentinels monitoring {@code master} at {@code masterPort} (e.g. its TLS port), with extra config
     * lines (e.g. {@code tls-port}, {@code tls-replication yes}); the plain {@link Server#port()} stays for readiness.
     */
    public synchronized List<Server> startSentinels(int count, String masterName, Server master, int masterPort,
            List<String> extraLines) {
        String template;
        try (InputStream in = RedisTestServers.class.getResourceAsStream("/redis/sentinel-template.conf")) {
            if (in == null) {
                throw new IllegalStateException("test resource /redis/sentinel-template.conf is missing");
            }
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<Server> sentinels = new ArrayList<>();
        String conf = template;
        for (int i = 0; i < count; i++) {
            sentinels.add(startOnFreePort(port -> {
                Path dir = newDir("sentinel-" + port);
                Path file = dir.resolve("sentinel.conf");
                String text = conf.replace("${port}", Integer.toString(port))
                        .replace("${dir}", dir.toString())
                        .replace("${master-name}", masterName)
                        .replace("${master-port}", Integer.toString(masterPort))
                        .replace("${quorum}", Integer.toString(count / 2 + 1))
                        + String.join("\n", extraLines) + "\n";
                try {
                    Files.writeString(file, text);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                return new Server("sentinel", port, dir, List.of(redisServer, file.toString(), "--sentinel"));
            }));
        }
        for (Server s : sentinels) {
            Await.until("sentinel " + s + " to see " + master, START_TIMEOUT,
                    () -> masterAddress(s, masterName).map(a -> a.port() == masterPort).orElse(false));
        }
        return sentinels;
    }

    /** Kills like {@code kill -9} and waits for the process to be gone; its port is held until {@link #restart}. */
    public void kill(Server server) {
        stop(server);
        server.held = RefusingPort.hold(server.port);
    }

    private void stop(Server server) {
        Process p = server.process;
        if (p != null) {
            p.destroyForcibly();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ALL.remove(p);
        }
    }

    /** Starts the same server again on its port (data is gone: no persistence). */
    public synchronized void restart(Server server) {
        if (server.alive()) {
            throw new IllegalStateException(server + " is still running");
        }
        release(server);
        launch(server);
    }

    /**
     * {@code SENTINEL FAILOVER masterName}, asked again until accepted (at most {@code bound}): Sentinel answers
     * NOGOODSLAVE until it has polled the replica's INFO, which a fresh setup may not have yet.
     */
    public static void sentinelFailover(Server sentinel, String masterName, Duration bound) {
        Await.until("Sentinel accepts the failover of " + masterName, bound, () -> {
            try {
                command(sentinel.port(), "SENTINEL", "FAILOVER", masterName);
                return true;
            } catch (IOException e) {
                if (String.valueOf(e.getMessage()).contains("NOGOODSLAVE")) {
                    return false;
                }
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** What a sentinel reports as the current master address of {@code masterName}. */
    public static Optional<RedisAddress> masterAddress(Server sentinel, String masterName) {
        try {
            List<String> reply = command(sentinel.port(), "SENTINEL", "get-master-addr-by-name", masterName);
            return reply.size() == 2 ? Optional.of(new RedisAddress(reply.get(0), Integer.parseInt(reply.get(1))))
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** {@code INFO section} as text, empty when the server does not answer. */
    public static String info(int port, String section) {
        try {
            List<String> reply = command(port, "INFO", section);
            return reply.isEmpty() ? "" : reply.getFirst();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Sends one command in RESP and returns the reply flattened to strings (a simple/bulk string or integer as one
     * element, an array as its elements; nil as nothing). An error reply throws IOException.
     */
    public static List<String> command(int port, String... args) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            socket.setSoTimeout(2000);
            StringBuilder req = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
                req.append('$').append(bytes.length).append("\r\n").append(a).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            List<String> result = new ArrayList<>();
            readReply(socket.getInputStream(), result);
            return result;
        }
    }

    private static void readReply(InputStream in, List<String> out) throws IOException {
        String line = readLine(in);
        if (line.isEmpty()) {
            throw new IOException("empty reply");
        }
        char type = line.charAt(0);
        String rest = line.substring(1);
        switch (type) {
            case '+', ':' -> out.add(rest);
            case '-' -> throw new IOException("Redis error: " + rest);
            case '$' -> {
                int len = Integer.parseInt(rest);
                if (len >= 0) {
                    byte[] data = in.readNBytes(len + 2);
                    out.add(new String(data, 0, len, StandardCharsets.UTF_8));
                }
            }
            case '*' -> {
                int n = Integer.parseInt(rest);
                for (int i = 0; i < n; i++) {
                    readReply(in, out);
                }
            }
            default -> throw new IOException("unexpected reply: " + line);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\r') {
                in.read();
                break;
            }
            sb.append((char) c);
        }
        return sb.toString();
    }

    /**
     * A port that was free on 127.0.0.1 a moment ago. redis-server must be told its port up front (it
     * cannot bind 0 and report it), so this probe stays; another process may take the port before the
     * server binds it, which {@link #startOnFreePort} survives by trying another one.
     */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    /** Up to this many probed ports are tried when the one probed was taken before the server bound it. */
    private static final int PORT_ATTEMPTS = 5;

    /** Starts the server {@code make} describes on a probed port, on another one if that port was taken meanwhile. */
    private Server startOnFreePort(IntFunction<Server> make) {
        PortTaken last = null;
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            Server s = make.apply(freePort());
            try {
                launch(s);
            } catch (PortTaken e) {
                last = e;
                continue;
            }
            servers.add(s);
            return s;
        }
        throw new IllegalStateException(PORT_ATTEMPTS + " probed ports were all taken before redis-server bound them", last);
    }

    private Server server(String kind, int port, List<String> extra) {
        Path dir = newDir(kind + "-" + port);
        List<String> cmd = new ArrayList<>(List.of(redisServer, "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                "--daemonize", "no", "--protected-mode", "no"));
        cmd.addAll(extra);
        return new Server(kind, port, dir, cmd);
    }

    /** The server exited because its port was in use. */
    private static final class PortTaken extends RuntimeException {
        PortTaken(String message) {
            super(message);
        }
    }

    private void launch(Server s) {
        try {
            Process p = new ProcessBuilder(s.command)
                    .directory(s.dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(s.dir.resolve("log.txt").toFile()))
                    .start();
            s.process = p;
            ALL.add(p);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + s.command, e);
        }
        // it answers as itself: a process that holds the port already would answer PING too
        String self = "process_id:" + s.process.pid();
        Await.until(s + " to answer on its port (log: " + s.dir.resolve("log.txt") + ")", START_TIMEOUT, () -> {
            if (!s.process.isAlive()) {
                String log = readLog(s);
                ALL.remove(s.process);
                if (log.contains("Address already in use")) {
                    throw new PortTaken(s + ": port taken: " + log);
                }
                throw new AssertionError(s + " exited with " + s.process.exitValue() + "; log: " + log);
            }
            try {
                return command(s.port, "INFO", "server").stream().anyMatch(line -> line.contains(self));
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static String readLog(Server s) {
        try {
            return Files.readString(s.dir.resolve("log.txt"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private Path newDir(String name) {
        try {
            return Files.createDirectories(root.resolve(name));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void release(Server server) {
        server.held.ifPresent(RefusingPort::close);
        server.held = Optional.empty();
    }

    /** Kills every process this instance started and deletes the temp dirs. */
    @Override
    public synchronized void close() {
        for (Server s : servers) {
            stop(s);
            release(s);
        }
        servers.clear();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir cleanup is best effort
        }
    }
}
