package dev.loomgate.loadtests;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Loopback helpers: free ports, HTTP probes, socket counts. */
public final class LocalHost {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private LocalHost() {
    }

    /** {@code n} distinct ports that were free a moment ago on 127.0.0.1. */
    public static List<Integer> freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports.add(s.getLocalPort());
            }
            return List.copyOf(ports);
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    /** GET {@code url}: status and body, or empty if the connection failed. */
    public static Optional<HttpResponse<String>> get(String url) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
            return Optional.of(HTTP.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Polls {@code url} until it answers 200 with {@code expectedBody}; fails early when {@code process} dies.
     *
     * @throws BenchFailure with the process's log tail if it does not become ready in time
     */
    public static void awaitServing(String what, String url, String expectedBody, ManagedProcesses.Started process,
                             Duration timeout) throws InterruptedException {
        awaitServing(what, url, r -> r.statusCode() == 200 && r.body().equals(expectedBody), process, timeout);
    }

    /**
     * Polls {@code url} until its answer passes {@code ready} (a gateway's /health/ready answering 200, say); fails
     * early when {@code process} dies.
     *
     * @throws BenchFailure with the process's log tail if it does not become ready in time
     */
    public static void awaitServing(String what, String url, Predicate<HttpResponse<String>> ready,
                                    ManagedProcesses.Started process, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            requireAlive(what, process);
            Optional<HttpResponse<String>> r = get(url);
            if (r.isPresent()) {
                if (ready.test(r.get())) {
                    return;
                }
                last = "status " + r.get().statusCode() + ", body '" + abbreviate(r.get().body()) + "'";
            }
            Thread.sleep(200);
        }
        throw new BenchFailure(what + " did not serve " + url + " correctly within " + timeout.toSeconds()
                + " s (last: " + last + "); its log (" + process.log() + "):\n" + process.logTail());
    }

    /**
     * Waits until {@code process} accepts TCP connections on 127.0.0.1:{@code port} (redis-server, a non-HTTP port).
     *
     * @throws BenchFailure with the process's log tail if it dies or does not listen in time
     */
    public static void awaitListening(String what, int port, ManagedProcesses.Started process, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            requireAlive(what, process);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50); // polling a port that is not open yet
            }
        }
        throw new BenchFailure(what + " did not listen on port " + port + " within " + timeout.toSeconds()
                + " s; its log (" + process.log() + "):\n" + process.logTail());
    }

    private static void requireAlive(String what, ManagedProcesses.Started process) {
        if (!process.process().isAlive()) {
            throw new BenchFailure(what + " exited with " + process.process().exitValue()
                    + " before serving; its log (" + process.log() + "):\n" + process.logTail());
        }
    }

    /** Waits until {@code check} holds for a GET of {@code url}, up to {@code timeout}. */
    static boolean awaitAnswer(String url, Predicate<HttpResponse<String>> check, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (get(url).filter(check).isPresent()) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    /**
     * TCP sockets in TIME_WAIT whose remote port is {@code port}: the client side of closed connections to it
     * (they linger ~60 s, so this counts connections closed during the last minute).
     */
    static Optional<Integer> timeWaitTo(int port) {
        try {
            Process p = new ProcessBuilder("ss", "-Htan", "state", "time-wait", "dport", "=", ":" + port)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return Optional.of((int) out.lines().filter(l -> !l.isBlank()).count());
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= 120 ? one : one.substring(0, 117) + "...";
    }
}
