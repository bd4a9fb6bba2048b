package dev.loomgate.chaos;

import com.sun.net.httpserver.HttpServer;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code chaos load --stop-file --events}: what scripts/vm-cluster drives a rolling upgrade with. */
class LoadCommandTest {

    @Test
    void stopsWhenTheStopFileAppearsAndPutsTheEventsOnTheReport(@TempDir Path dir) throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            requests.incrementAndGet();
            byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
            ex.getResponseHeaders().add("X-Loomgate-Node", "gw1");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            Path stop = dir.resolve("stop");
            Path events = dir.resolve("events.tsv");
            long now = System.currentTimeMillis();
            Files.writeString(events, now + "\t" + (now + 500) + "\tupgrade to 2\tgw1\n\n"
                    + (now + 600) + "\t" + (now + 900) + "\tupgrade to 2\tgw2\n");
            Path out = dir.resolve("report");
            Thread stopper = Thread.ofVirtual().start(() -> {
                Await.until("20 requests served", Duration.ofSeconds(20), () -> requests.get() >= 20);
                try {
                    Files.createFile(stop);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            long t0 = System.nanoTime();
            int rc = LoadCommand.run(Map.of("target", "127.0.0.1:" + server.getAddress().getPort(),
                    "rate", "50", "duration", "120s", "path", "/demo", "mix", "2,1,1",
                    "stop-file", stop.toString(), "events", events.toString(), "out", out.toString(),
                    "title", "rolling upgrade"));
            stopper.join();
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(0, rc, "no request failed");
            assertTrue(seconds < 30, "stopped by the stop file, not the 120 s duration: " + seconds + " s");
            String summary = Files.readString(out.resolve("summary.json"));
            assertTrue(summary.contains("\"target\": \"gw1\"") && summary.contains("\"target\": \"gw2\""),
                    "both events on the report: " + summary);
            assertTrue(summary.contains("rolling upgrade"), summary);
            assertTrue(Files.size(out.resolve("logs/records.jsonl")) > 0);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aBrokenEventLineIsRejectedWithItsLineNumber(@TempDir Path dir) throws IOException {
        Path events = dir.resolve("events.tsv");
        Files.writeString(events, "1\t2\tok\tgw1\n3\t4\tmissing-target\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoadCommand.readEvents(events));
        assertTrue(e.getMessage().contains("events.tsv:2:"), e.getMessage());
    }
}
