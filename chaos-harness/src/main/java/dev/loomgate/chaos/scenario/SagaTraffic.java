package dev.loomgate.chaos.scenario;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.loomgate.chaos.report.StateTimeline;

/**
 * The I/O of the saga scenario: place-order requests through the front, the participants' {@code GET /state} and
 * jitter control, and the admin API's saga list polled for the state timeline (any live node answers).
 */
final class SagaTraffic {
    /** The demo cluster's saga route (cluster/SagaDemo publishes it) and its path. */
    static final String ROUTE = "place-order";
    static final String PATH = "/place-order";
    private static final Pattern LEASE = Pattern.compile("(?s)id: " + ROUTE + "\\b.*?\\blease:\\s*(\\d+)(ms|s)\\b");

    private final ChaosCluster cluster;
    private final HttpClient http;
    private final Map<String, URI> participants;
    private final Set<String> answeredIds = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> outcomes = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> inFlight = new ConcurrentHashMap<>();

    SagaTraffic(ChaosCluster cluster, HttpClient http, Map<String, URI> participants) {
        this.cluster = cluster;
        this.http = http;
        this.participants = new TreeMap<>(participants);
    }

    /** The lease of the place-order route in a routes document (the saga default, 10 s, when it names none). */
    static Duration lease(String routes) {
        Matcher m = LEASE.matcher(routes);
        if (!m.find()) {
            return Duration.ofSeconds(10);
        }
        long n = Long.parseLong(m.group(1));
        return m.group(2).equals("ms") ? Duration.ofMillis(n) : Duration.ofSeconds(n);
    }

    /** The JSON body of saga {@code seq}: every fifth one is refused by payments (the pivot), so compensated. */
    static String body(long seq) {
        return "{\"item\":\"chaos-" + seq + "\",\"qty\":1,\"rejectPayment\":" + (seq % 5 == 4) + "}";
    }

    /** Until the front completes a saga 3 times in a row (every node has the route), at most 30 s. */
    void awaitRoute() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int inARow = 0;
        while (inARow < 3) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the front did not complete a place-order saga within 30 s");
            }
            int s;
            try {
                s = SagaKillScenario.post(http, cluster.frontUrl().resolve(PATH), body(0)).statusCode();
            } catch (java.io.IOException e) {
                s = 0;
            }
            inARow = s == 201 ? inARow + 1 : 0;
            if (s != 201) {
                Thread.sleep(200); // polling the front until the saga route answers
            }
        }
    }

    List<SagaChecks.Participant> participantStates() throws java.io.IOException {
        List<SagaChecks.Participant> out = new ArrayList<>();
        for (Map.Entry<String, URI> p : participants.entrySet()) {
            HttpResult r = cluster.httpGet(p.getValue().resolve("/state"));
            if (r.status() != 200) {
                throw new java.io.IOException("participant " + p.getKey() + " GET /state: HTTP " + r.status());
            }
            out.add(SagaChecks.Participant.parse(r.body()));
        }
        return out;
    }

    void jitter(int ms) throws Exception {
        for (URI p : participants.values()) {
            SagaKillScenario.post(http, p.resolve("/control/jitter?ms=" + ms), "");
        }
    }

    /**
     * {@code rate} sagas a second for {@code total}, each on its own virtual thread, pinned in turn to each node with
     * HAProxy's {@code GWID} cookie (so the scenario knows which node orchestrates which saga); returns after the
     * last answer.
     */
    void submit(double rate, Duration total, List<String> nodes) {
        long periodNanos = (long) (1e9 / rate);
        long start = System.nanoTime();
        long count = (long) (rate * total.toSeconds());
        List<Thread> calls = new ArrayList<>();
        for (long n = 0; n < count; n++) {
            long wait = start + n * periodNanos - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(Duration.ofNanos(wait)); // pacing the sagas
                } catch (InterruptedException e) {
                    break;
                }
            }
            final long seq = n + 1;
            String node = nodes.get((int) (n % nodes.size()));
            var counter = inFlight.computeIfAbsent(node, k -> new java.util.concurrent.atomic.AtomicInteger());
            counter.incrementAndGet();
            calls.add(Thread.ofVirtual().start(() -> {
                String outcome;
                try {
                    HttpResponse<String> r = SagaKillScenario.post(http, cluster.frontUrl().resolve(PATH), body(seq),
                            Map.of("Cookie", "GWID=" + node));
                    outcome = Integer.toString(r.statusCode());
                    r.headers().firstValue("Saga-Id").ifPresent(answeredIds::add);
                } catch (Exception e) {
                    outcome = "no answer"; // cut by the kill: the saga may still exist and must finish
                } finally {
                    counter.decrementAndGet();
                }
                outcomes.merge(outcome, 1, Integer::sum);
            }));
        }
        for (Thread t : calls) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Sagas pinned to {@code node} whose client is still waiting for the answer. */
    int inFlight(String node) {
        var c = inFlight.get(node);
        return c == null ? 0 : c.get();
    }

    Set<String> sagaIdsAnswered() {
        return Set.copyOf(answeredIds);
    }

    /** Client answers by status ({@code 201}, {@code 409}, {@code 202}, {@code no answer}...). */
    Map<String, Integer> outcomes() {
        return new TreeMap<>(outcomes);
    }

    /** Asks the admin API for sagas known elsewhere (client, participants) that the list has not shown. */
    void lookUpMissing(Set<String> ids, Map<String, SagaChecks.Seen> known) {
        for (String id : ids) {
            if (known.containsKey(id) && SagaChecks.isFinal(known.get(id).state())) {
                continue;
            }
            for (ClusterProcess g : cluster.gateways()) {
                try {
                    HttpResult r = cluster.httpGet(cluster.adminUrl(g).resolve("/admin/sagas/" + id),
                            cluster.adminHeaders());
                    if (r.status() == 200) {
                        SagaChecks.merge("{\"sagas\":[" + r.body() + "]}", ROUTE, 0, known);
                        break;
                    }
                    if (r.status() == 404) {
                        break;
                    }
                } catch (java.io.IOException e) {
                    // that node is down: ask the next
                }
            }
        }
    }

    /** A sampler of the sagas created from {@code createdFrom} (epoch ms) on. */
    Sampler sampler(LongSupplier now, long createdFrom, Map<String, SagaChecks.Seen> known) {
        return new Sampler(now, createdFrom, known);
    }

    /** Polls the admin saga list every {@link SagaKillScenario#SAMPLE_MS} until stopped; one sample per poll. */
    final class Sampler implements Runnable {
        private final LongSupplier now;
        private final long createdFrom;
        private final Map<String, SagaChecks.Seen> known;
        private final List<StateTimeline.Sample> samples = new CopyOnWriteArrayList<>();
        private volatile boolean stopped;

        private Sampler(LongSupplier now, long createdFrom, Map<String, SagaChecks.Seen> known) {
            this.now = now;
            this.createdFrom = createdFrom;
            this.known = known;
        }

        @Override
        public void run() {
            while (!stopped) {
                pollOnce();
                try {
                    Thread.sleep(SagaKillScenario.SAMPLE_MS); // the sampling period
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** One poll of the first node that answers; a sample of the counts when one did. */
        synchronized void pollOnce() {
            for (ClusterProcess g : cluster.gateways()) {
                try {
                    HttpResult r = cluster.httpGet(cluster.adminUrl(g).resolve("/admin/sagas"), cluster.adminHeaders());
                    if (r.status() == 200) {
                        SagaChecks.merge(r.body(), ROUTE, createdFrom, known);
                        samples.add(SagaChecks.sample(now.getAsLong(), known));
                        return;
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    // that node is down or has no Redis right now: ask the next
                }
            }
        }

        void stop() {
            stopped = true;
        }

        List<StateTimeline.Sample> samples() {
            return List.copyOf(samples);
        }
    }
}
