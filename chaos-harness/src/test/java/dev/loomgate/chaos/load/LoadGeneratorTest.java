package dev.loomgate.chaos.load;

import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadGeneratorTest {

    @Test
    void holdsArrivalRateAndRecordsEveryRequest() throws Exception {
        try (TestServer server = new TestServer("gw-a")) {
            LoadConfig config = LoadConfig.builder("127.0.0.1", server.port())
                    .rate(200).maxDuration(Duration.ofSeconds(3)).maxRequests(10_000).newConnectionShare(0.1)
                    .build();
            LoadResult result = LoadGenerator.run(config);

            // the open model issues exactly one request per interval within the duration
            assertEquals(600, result.scheduled(), "scheduled requests");
            assertTrue(Math.abs(result.records().size() - 600) <= 12, "records: " + result.records().size());
            long ok = result.count(r -> r.status() == 200);
            assertTrue(ok >= 588, "200 responses: " + ok + ", outcomes " + outcomes(result.records()));
            assertTrue(Math.abs(result.achievedRate() - 200) < 200 * 0.02, "rate " + result.achievedRate());
            assertEquals(server.requests.get(), (int) ok, "server saw every request once");

            RequestRecord first = result.records().getFirst();
            assertEquals("gw-a", first.node().orElseThrow());
            assertEquals("lb-test", first.lb().orElseThrow());
            assertTrue(first.startEpochNanos() >= first.scheduledEpochNanos());
            assertTrue(Math.abs(first.startMillis() - System.currentTimeMillis()) < 60_000, "epoch time base");

            Map<RequestKind, Long> kinds = result.records().stream()
                    .collect(Collectors.groupingBy(RequestRecord::kind, Collectors.counting()));
            assertEquals(3, kinds.size(), "all kinds mixed: " + kinds);
            assertEquals(kinds.get(RequestKind.POST_IDEMPOTENT).intValue(), server.withIdempotencyKey.get(),
                    "only POST+key carries an Idempotency-Key");
            assertEquals(kinds.get(RequestKind.POST) + kinds.get(RequestKind.POST_IDEMPOTENT), server.posts.get());
            // the scheduler is not delayed by responses: starts stay close to their schedule (generous bound)
            long lateOver50ms = result.count(r -> r.startEpochNanos() - r.scheduledEpochNanos() > 50_000_000L);
            assertTrue(lateOver50ms < 60, "requests started > 50 ms late: " + lateOver50ms);
        }
    }

    @Test
    void mixesFreshAndReusedConnections() throws Exception {
        try (TestServer server = new TestServer("gw-a")) {
            LoadResult half = LoadGenerator.run(LoadConfig.builder("127.0.0.1", server.port())
                    .rate(100).maxRequests(200).maxDuration(Duration.ofSeconds(10)).newConnectionShare(0.5).build());
            long opened = half.count(RequestRecord::newConnection);
            assertEquals(200, half.count(r -> r.status() == 200), outcomes(half.records()));
            assertTrue(opened >= 60 && opened <= 160, "opened " + opened + " of 200 at share 0.5");
            // every connection the client says it opened, the server saw (a remote port per connection)
            assertEquals(opened, server.clientPorts.size(), "connections seen by the server");
        }
        try (TestServer server = new TestServer("gw-a")) {
            LoadResult reuse = LoadGenerator.run(LoadConfig.builder("127.0.0.1", server.port())
                    .rate(100).maxRequests(200).maxDuration(Duration.ofSeconds(10)).newConnectionShare(0).build());
            assertEquals(200, reuse.count(r -> r.status() == 200), outcomes(reuse.records()));
            // keep-alive only: a connection is opened only when every pooled one is busy, so the count follows the
            // peak concurrency (low on an idle box, higher when load slows answers), never the request count;
            // the slack covers a connection between its response and its return to the pool
            long opened = reuse.count(RequestRecord::newConnection);
            int peak = peakInFlight(reuse.records());
            assertEquals(opened, server.clientPorts.size(), "connections seen by the server");
            assertTrue(opened <= peak + 4, "keep-alive only, yet " + opened + " connections for a peak of " + peak
                    + " requests in flight");
            assertTrue(opened < 100, "most of 200 requests reuse a connection, yet " + opened + " connections");
        }
    }

    @Test
    void classifiesConnectRefusedWhenTheServerStops() throws Exception {
        TestServer server = new TestServer("gw-a");
        long stoppedAt;
        long closedAt;
        LoadResult result;
        try (LoadRun run = LoadGenerator.start(LoadConfig.builder("127.0.0.1", server.port())
                .rate(100).maxDuration(Duration.ofSeconds(2)).maxRequests(10_000).newConnectionShare(0.3)
                .connectTimeout(Duration.ofMillis(500)).readTimeout(Duration.ofSeconds(2)).build())) {
            Await.until("60 requests answered before the stop", () -> server.requests.get() >= 60);
            stoppedAt = run.clock().epochMillis();
            server.close();
            closedAt = run.clock().epochMillis();
            result = run.await();
        } finally {
            server.close();
        }
        List<RequestRecord> records = result.records();
        System.out.println("server stopped mid-run, outcomes: " + outcomes(records));
        long okBefore = count(records, r -> r.status() == 200 && r.startMillis() < stoppedAt);
        long refused = count(records, r -> r.error() == ErrorClass.CONNECT_REFUSED);
        assertTrue(okBefore >= 50, "ok before the stop: " + okBefore + " " + outcomes(records));
        assertTrue(refused >= 80, "connect-refused after the stop: " + refused + " " + outcomes(records));
        long okAfter = count(records, r -> r.status() > 0 && r.startMillis() > stoppedAt + 300);
        assertEquals(0, okAfter, "nothing answers once the server is gone");
        // A connection opened while close() ran may be accepted and then reset: only requests that started before
        // the stop or after close() returned have one right classification.
        List<RequestRecord> unexpected = records.stream()
                .filter(r -> r.startMillis() < stoppedAt || r.startMillis() > closedAt)
                .filter(r -> r.error() == ErrorClass.OTHER || r.error() == ErrorClass.READ_TIMEOUT).toList();
        assertEquals(List.of(), unexpected.stream().map(r -> r.outcome() + " started " + (r.startMillis() - stoppedAt)
                + " ms after the stop, new connection " + r.newConnection()).toList(), outcomes(records));
        assertEquals(0, count(records, RequestRecord::serverError), "no 5xx");
    }

    @Test
    void dropsAtTheInFlightCapAndTimesOutSlowResponses() throws Exception {
        try (TestServer server = new TestServer("gw-a")) {
            LoadResult result = LoadGenerator.run(LoadConfig.builder("127.0.0.1", server.port())
                    .path("/slow").rate(100).maxRequests(100).maxDuration(Duration.ofSeconds(5))
                    .maxInFlight(10).readTimeout(Duration.ofMillis(400)).build());
            long dropped = result.count(RequestRecord::dropped);
            long timedOut = result.count(r -> r.error() == ErrorClass.READ_TIMEOUT);
            assertEquals(100, result.records().size());
            assertTrue(dropped >= 40, "dropped at the cap: " + dropped + " " + outcomes(result.records()));
            assertTrue(timedOut >= 10, "read timeouts: " + timedOut + " " + outcomes(result.records()));
            assertEquals(100, dropped + timedOut, outcomes(result.records()));
            assertTrue(result.records().stream().filter(r -> r.error() == ErrorClass.READ_TIMEOUT)
                    .allMatch(r -> r.latencyMillis() >= 390 && r.latencyMillis() < 3_000), "timeout latency");
        }
    }

    @Test
    void recordsStatusesAndRoundTripsJsonLines(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (TestServer server = new TestServer("gw-b")) {
            LoadResult result = LoadGenerator.run(LoadConfig.builder("127.0.0.1", server.port())
                    .path(RequestKind.GET, "/limited").path(RequestKind.POST, "/broken")
                    .path(RequestKind.POST_IDEMPOTENT, "/chunked").rate(100).maxRequests(60).newConnectionShare(0)
                    .build());
            assertTrue(result.records().stream().filter(r -> r.kind() == RequestKind.GET).allMatch(RequestRecord::rejected));
            assertTrue(result.records().stream().filter(r -> r.kind() == RequestKind.POST)
                    .allMatch(r -> r.status() == 503 && r.failed() && r.serverError()));
            assertTrue(result.records().stream().filter(r -> r.kind() == RequestKind.POST_IDEMPOTENT)
                    .allMatch(RequestRecord::succeeded), "chunked bodies read: " + outcomes(result.records()));
            // every body was read to its end, so keep-alive connections stayed usable
            assertTrue(server.clientPorts.size() <= 10, "connections " + server.clientPorts.size());
            assertEquals(0, result.count(RequestRecord::staleRetried));

            java.nio.file.Path jsonl = dir.resolve("r.jsonl");
            java.nio.file.Path csv = dir.resolve("r.csv");
            RecordIo.writeJsonLines(jsonl, result.records());
            RecordIo.writeCsv(csv, result.records());
            assertEquals(result.records(), RecordIo.readJsonLines(jsonl));
            List<String> lines = java.nio.file.Files.readAllLines(csv);
            assertEquals(RecordIo.CSV_HEADER, lines.getFirst());
            assertEquals(61, lines.size());
            assertTrue(lines.get(1).contains(",gw-b,lb-test,"), lines.get(1));
        }
    }

    private static long count(List<RequestRecord> records, Predicate<RequestRecord> p) {
        return records.stream().filter(p).count();
    }

    static String outcomes(List<RequestRecord> records) {
        return records.stream().collect(Collectors.groupingBy(RequestRecord::outcome, Collectors.counting())).toString();
    }

    /** The most requests on the wire at once (checked at each request's start). */
    private static int peakInFlight(java.util.List<RequestRecord> records) {
        int peak = 0;
        for (RequestRecord r : records) {
            int n = 0;
            for (RequestRecord o : records) {
                if (o.startEpochNanos() <= r.startEpochNanos() && o.endEpochNanos() > r.startEpochNanos()) {
                    n++;
                }
            }
            peak = Math.max(peak, n);
        }
        return peak;
    }
}
