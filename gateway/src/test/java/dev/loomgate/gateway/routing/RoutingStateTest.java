package dev.loomgate.gateway.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.upstream.ConsulService;
import dev.loomgate.gateway.upstream.Endpoint;
import dev.loomgate.gateway.upstream.Upstream;
import dev.loomgate.gateway.upstream.UpstreamHost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoutingStateTest {
    private static final int DOCUMENTS = 4;

    /** Document {@code i} (version "v<i>") sends upstream "u" to Consul service "svc-<i>". */
    private static RoutesDocument document(int i) throws ConfigException {
        return RoutesParser.parse("""
                version: "v%d"
                upstreams:
                  - name: u
                    consul: { service: svc-%d, passing-only: false }
                routes:
                  - id: r
                    upstream: u
                    match: { path-prefix: / }
                """.formatted(i, i), "routes-" + i + ".yaml");
    }

    private static ConsulService service(int i) {
        return new ConsulService("svc-" + i, List.of(), false);
    }

    /** Endpoints of service i carry i in their port, so a snapshot shows which service they came from. */
    private static List<Endpoint> endpoints(int i, int round) {
        return List.of(new Endpoint("127.0.0.1", 10_000 + i, 1), new Endpoint("127.0.0.1", 20_000 + round, 1));
    }

    @Test
    void readersAlwaysSeeSnapshotDocumentAndEndpointsOfOneChange() throws Exception {
        RoutingState state = new RoutingState();
        RoutesDocument[] docs = new RoutesDocument[DOCUMENTS];
        for (int i = 0; i < DOCUMENTS; i++) {
            docs[i] = document(i);
        }
        state.apply(docs[0]);
        AtomicBoolean writing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> inconsistencies = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        writers.add(Thread.ofVirtual().start(() -> {
            await(start);
            for (int round = 0; round < 200; round++) {
                state.apply(docs[round % DOCUMENTS]);
            }
        }));
        for (int s = 0; s < DOCUMENTS; s++) {
            int svc = s;
            writers.add(Thread.ofVirtual().start(() -> {
                await(start);
                for (int round = 0; round < 200; round++) {
                    state.discovered(service(svc), endpoints(svc, round));
                }
            }));
        }
        List<Thread> readers = new ArrayList<>();
        long[] reads = new long[1];
        for (int r = 0; r < 2; r++) {
            readers.add(Thread.ofVirtual().start(() -> {
                await(start);
                long n = 0;
                while (writing.get() || n == 0) {
                    check(state.view(), inconsistencies);
                    n++;
                    Thread.yield(); // two cores: let the writers' virtual threads run
                }
                synchronized (reads) {
                    reads[0] += n;
                }
            }));
        }
        start.countDown();
        for (Thread t : writers) {
            t.join();
        }
        writing.set(false);
        for (Thread t : readers) {
            t.join();
        }
        assertTrue(inconsistencies.isEmpty(), () -> inconsistencies.size() + " inconsistent reads, first: "
                + inconsistencies.peek());
        assertTrue(reads[0] > 0);
        check(state.view(), inconsistencies);
        assertTrue(inconsistencies.isEmpty(), () -> "final view: " + inconsistencies.peek());
    }

    /** Version, document and endpoints of one view must all belong to the same document. */
    private static void check(RoutingState.View view, ConcurrentLinkedQueue<String> out) {
        RoutingSnapshot snapshot = view.snapshot();
        if (view.document().isEmpty()) {
            out.add("no document under version " + snapshot.version());
            return;
        }
        RoutesDocument doc = view.document().get();
        if (!doc.version().equals(snapshot.version())) {
            out.add("snapshot " + snapshot.version() + " with document " + doc.version());
            return;
        }
        int i = Integer.parseInt(doc.version().substring(1));
        Upstream u = snapshot.upstream("u").orElse(null);
        if (u == null) {
            out.add(snapshot.version() + " has no upstream u");
            return;
        }
        List<Endpoint> inSnapshot = u.hosts().stream().map(UpstreamHost::endpoint).toList();
        List<Endpoint> discovered = view.discovered().getOrDefault(service(i), List.of());
        if (!inSnapshot.equals(discovered)) {
            out.add(snapshot.version() + " serves " + inSnapshot + " but discovered " + discovered);
        }
    }

    @Test
    void applyForgetsEndpointsOfServicesTheDocumentNoLongerUses() throws Exception {
        RoutingState state = new RoutingState();
        state.apply(document(1));
        state.discovered(service(1), endpoints(1, 0));
        assertEquals(endpoints(1, 0), state.discoveredEndpoints().get(service(1)));
        // Prefetch stores a list for the next document before it is applied: it must survive the apply.
        state.discovered(service(2), endpoints(2, 0));
        state.apply(document(2));
        assertFalse(state.discoveredEndpoints().containsKey(service(1)), "svc-1 forgotten");
        assertEquals(endpoints(2, 0), state.discoveredEndpoints().get(service(2)));
        assertEquals(endpoints(2, 0),
                state.current().upstream("u").orElseThrow().hosts().stream().map(UpstreamHost::endpoint).toList());
    }

    @Test
    void rejectionKeepsSnapshotAndIsPartOfTheView() throws Exception {
        RoutingState state = new RoutingState();
        RoutingSnapshot applied = state.apply(document(1));
        state.reject(new ConfigException("bad.yaml", 1, "version", "broken"));
        RoutingState.View view = state.view();
        assertTrue(view.snapshot() == applied, "the rejected change leaves the snapshot");
        assertEquals("bad.yaml", view.lastRejection().orElseThrow().source());
        state.apply(document(2));
        assertTrue(state.lastRejection().isPresent(), "a later apply keeps the record of the last rejection");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
