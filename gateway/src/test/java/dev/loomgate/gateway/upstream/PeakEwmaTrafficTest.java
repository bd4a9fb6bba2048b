package dev.loomgate.gateway.upstream;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady traffic through a real node to three real upstreams with {@code load-balancer: peak-ewma}:
 * when one upstream turns 50 ms slower, its share of the requests (counted per 100 ms window) falls
 * below {@link #AVOIDED_SHARE} within a second and stays there; when it is fast again it gets its
 * share back (after its estimate decayed: about decay-time × ln(slow/fast)).
 *
 * <p>Every upstream answers after {@link #BASE_MILLIS}, not at once. Instant loopback answers take
 * about 0.2 ms, so a scheduler hiccup of a few ms on a loaded machine was a 10-50× peak, which
 * Peak-EWMA takes at once and forgets only after τ × ln(peak/base), 2-4 s at τ = 1 s: whichever
 * endpoint the hiccup hit lost its traffic for longer than the 1 s steady phase (c's steady share
 * 0.096 once). Against 10 ms the same hiccup is a small peak that the in-flight factor of the cost
 * absorbs, while 50 ms more is still 6× slower
 * (its share in the second after: 0.03-0.05, was 0.00-0.02).
 */
class PeakEwmaTrafficTest {
    private static final long WINDOW_NANOS = 100_000_000;
    private static final int WINDOWS = 600; // 60 s: the bound of the whole test
    /** Closed-loop clients: with {@link #BASE_MILLIS} per answer, about 50 answers per window. */
    private static final int CLIENTS = 6;
    /** What every upstream takes to answer (well above scheduler noise); the slowed one takes 50 ms more. */
    private static final long BASE_MILLIS = 10;
    private static final double AVOIDED_SHARE = 0.10;
    private static final double RECOVERED_SHARE = 0.20;
    /**
     * c's mean share before the slowdown must be at least this (a third is fair; with instant answers the
     * estimates followed the noise of a busy machine, 0.096 to 0.44 measured; with {@link #BASE_MILLIS} 0.30 to
     * 0.36, also with 3 busy loops on the 2 cores), so that the fall below {@link #AVOIDED_SHARE} means something.
     */
    private static final double STEADY_SHARE = 0.15;
    /** Windows with fewer answers say nothing about shares. */
    private static final int MIN_WINDOW_ANSWERS = 20;

    /** Answers per 100 ms window, per upstream: [upstream][window]. */
    private final AtomicIntegerArray[] answers = new AtomicIntegerArray[3];
    private final AtomicIntegerArray failures = new AtomicIntegerArray(WINDOWS);
    private final long start = System.nanoTime();

    private int window(long nanos) {
        return (int) ((nanos - start) / WINDOW_NANOS);
    }

    private int total(int w) {
        return answers[0].get(w) + answers[1].get(w) + answers[2].get(w);
    }

    private double share(int host, int w) {
        int total = total(w);
        return total == 0 ? 0 : (double) answers[host].get(w) / total;
    }

    /** The first complete window at or after {@code from} with enough answers where host's share passes {@code test}. */
    private int firstWindow(int from, int host, java.util.function.DoublePredicate test) {
        int current = window(System.nanoTime());
        for (int w = from; w < current && w < WINDOWS; w++) {
            if (total(w) >= MIN_WINDOW_ANSWERS && test.test(share(host, w))) {
                return w;
            }
        }
        return -1;
    }

    @Test
    void trafficLeavesASlowedEndpointWithinASecondAndComesBack() throws Exception {
        for (int i = 0; i < answers.length; i++) {
            answers[i] = new AtomicIntegerArray(WINDOWS);
        }
        List<TestUpstream> upstreams = new ArrayList<>();
        List<Thread> clients = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> clientFailure = new AtomicReference<>();
        try {
            for (String name : List.of("a", "b", "c")) {
                TestUpstream u = TestUpstream.start(name);
                u.behave(Behaviors.slow(BASE_MILLIS, name));
                upstreams.add(u);
            }
            TestUpstream slowed = upstreams.get(2);
            try (TestGateway gateway = TestGateway.start("""
                    upstreams:
                      - name: u
                        load-balancer: peak-ewma
                        peak-ewma: { decay-time: 1s }
                        endpoints: [%s, %s, %s]
                    routes:
                      - { id: all, upstream: u }
                    """.formatted(upstreams.get(0).address(), upstreams.get(1).address(), slowed.address()))) {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5)).build();
                HttpRequest request = HttpRequest.newBuilder(gateway.uri("/x")).timeout(Duration.ofSeconds(10)).build();
                Map<String, Integer> index = Map.of("a", 0, "b", 1, "c", 2);
                for (int i = 0; i < CLIENTS; i++) {
                    clients.add(Thread.ofVirtual().name("client-" + i).start(() -> {
                        while (!stop.get() && window(System.nanoTime()) < WINDOWS - 1) {
                            try {
                                HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
                                String by = r.headers().firstValue("X-Served-By").orElse("?");
                                int w = window(System.nanoTime());
                                if (r.statusCode() == 200 && index.containsKey(by) && w < WINDOWS) {
                                    answers[index.get(by)].incrementAndGet(w);
                                } else if (w < WINDOWS) {
                                    failures.incrementAndGet(w);
                                }
                            } catch (Exception e) {
                                clientFailure.compareAndSet(null, e);
                                return;
                            }
                        }
                    }));
                }

                // steady: c takes its share (p2c over equal latencies)
                int steadyFrom = window(System.nanoTime());
                Await.until("10 windows of steady traffic", Duration.ofSeconds(20),
                        () -> countWindows(steadyFrom, window(System.nanoTime())) >= 10);
                int steadyTo = window(System.nanoTime());
                double steadyShare = meanShare(2, steadyFrom, steadyTo);
                assertTrue(steadyShare >= STEADY_SHARE, "steady share of c " + steadyShare);

                // c turns 50 ms slower
                long slowedAt = System.nanoTime();
                slowed.behave(Behaviors.slow(BASE_MILLIS + 50, "c"));
                int slowWindow = window(slowedAt) + 1; // the first window that starts after the change
                int avoided = Await.value("a window where c's share is below " + AVOIDED_SHARE, Duration.ofSeconds(10),
                        () -> firstWindow(slowWindow, 2, s -> s < AVOIDED_SHARE), w -> w >= 0);
                double secondsToAvoid = (avoided + 1) * WINDOW_NANOS / 1e9 - (slowedAt - start) / 1e9;
                // and the next second (10 windows) stays below it, probes included
                Await.until("10 windows after avoidance", Duration.ofSeconds(20),
                        () -> countWindows(avoided + 1, window(System.nanoTime())) >= 10);
                double avoidedShare = meanShare(2, avoided + 1, avoided + 11);

                // c is fast again
                long recoveredAt = System.nanoTime();
                slowed.behave(Behaviors.slow(BASE_MILLIS, "c"));
                int recoverWindow = window(recoveredAt) + 1;
                int back = Await.value("a window where c's share is back to " + RECOVERED_SHARE, Duration.ofSeconds(20),
                        () -> firstWindow(recoverWindow, 2, s -> s >= RECOVERED_SHARE), w -> w >= 0);
                double secondsToRecover = (back + 1) * WINDOW_NANOS / 1e9 - (recoveredAt - start) / 1e9;

                System.out.printf("peak-ewma: c's share steady %.2f; slowed by 50 ms: below %.2f %.2f s after"
                                + " (window end), mean over the next second %.3f; fast again: back to >= %.2f %.2f s after%n",
                        steadyShare, AVOIDED_SHARE, secondsToAvoid, avoidedShare, RECOVERED_SHARE, secondsToRecover);
                assertTrue(secondsToAvoid <= 1.0, "c was avoided only " + secondsToAvoid + " s after it turned slow");
                assertTrue(avoidedShare < AVOIDED_SHARE, "c's mean share in the second after: " + avoidedShare);
                assertEquals(null, clientFailure.get(), "a client failed");
                int failed = 0;
                for (int w = 0; w < WINDOWS; w++) {
                    failed += failures.get(w);
                }
                assertEquals(0, failed, "requests that failed or were not answered by a, b or c");
            }
        } finally {
            stop.set(true);
            for (Thread t : clients) {
                t.join(Duration.ofSeconds(15));
            }
            upstreams.forEach(TestUpstream::close);
        }
    }

    private int countWindows(int from, int to) {
        int n = 0;
        for (int w = from; w < to && w < WINDOWS; w++) {
            if (total(w) >= MIN_WINDOW_ANSWERS) {
                n++;
            }
        }
        return n;
    }

    /** c's share over the windows [from, to) with enough answers, weighted by answers. */
    private double meanShare(int host, int from, int to) {
        long mine = 0;
        long all = 0;
        for (int w = from; w < to && w < WINDOWS; w++) {
            if (total(w) >= MIN_WINDOW_ANSWERS) {
                mine += answers[host].get(w);
                all += total(w);
            }
        }
        return all == 0 ? 0 : (double) mine / all;
    }
}
