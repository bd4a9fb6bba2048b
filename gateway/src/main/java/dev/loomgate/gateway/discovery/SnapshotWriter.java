package dev.loomgate.gateway.discovery;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.Semaphore;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.loomgate.gateway.routing.RoutingState;
import dev.loomgate.gateway.upstream.ConsulService;
import dev.loomgate.gateway.upstream.Endpoint;

/**
 * Writes the last-known-good snapshot file after each routing swap, on its own virtual thread
 * (swaps in a burst make one write). Its only output is that file; {@link #read} is the way back.
 */
final class SnapshotWriter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SnapshotWriter.class.getName());

    private final Path file;
    private final RoutingState routing;
    private final boolean routesFromKv;
    private final Supplier<Optional<String>> appliedRoutesText;
    private final Semaphore due = new Semaphore(0);
    private volatile boolean closed;
    private Thread thread;

    /**
     * @param routesFromKv      whether routes come from KV: then the applied routes text is saved, and nothing is
     *                          written before some was applied (an older snapshot stays)
     * @param appliedRoutesText the routes text the KV watcher applied last
     */
    SnapshotWriter(Path file, RoutingState routing, boolean routesFromKv, Supplier<Optional<String>> appliedRoutesText) {
        this.file = file;
        this.routing = routing;
        this.routesFromKv = routesFromKv;
        this.appliedRoutesText = appliedRoutesText;
    }

    /** The snapshot on disk, if any can be read. */
    static Optional<LastKnownGood> read(Path file) {
        try {
            return LastKnownGood.read(file);
        } catch (IOException e) {
            LOG.warning("ignoring the snapshot: " + e.getMessage());
            return Optional.empty();
        }
    }

    void start() {
        thread = Thread.ofVirtual().name("consul-snapshot-writer").start(this::run);
        due.release();
    }

    /** Asks for a write (cheap: called on each snapshot swap). */
    void due() {
        due.release();
    }

    private void run() {
        while (!closed) {
            try {
                due.acquire();
                due.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            try {
                write();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "could not write the snapshot " + file, e);
            }
        }
    }

    private void write() throws IOException {
        Optional<String> text = routesFromKv ? appliedRoutesText.get() : Optional.empty();
        if (routesFromKv && text.isEmpty()) {
            return; // nothing applied from KV yet: keep whatever snapshot exists
        }
        RoutingState.View view = routing.view(); // version and endpoints of one swap
        Map<ConsulService, List<Endpoint>> eps = new LinkedHashMap<>();
        view.document().ifPresent(d -> d.upstreams().forEach(u -> u.consul().ifPresent(svc -> {
            List<Endpoint> l = view.discovered().get(svc);
            if (l != null) {
                eps.put(svc, l);
            }
        })));
        new LastKnownGood(view.snapshot().version(), text, eps, Instant.now()).write(file);
    }

    @Override
    /**
     * Stops the writer and waits for a write in progress to finish (bounded), so nothing is written into the
     * snapshot's folder after close: an interrupt could leave a temp file behind instead.
     */
    public void close() {
        closed = true;
        due.release();
        if (thread != null) {
            try {
                if (!thread.join(Duration.ofSeconds(5))) {
                    thread.interrupt();
                    LOG.warning("the snapshot writer did not stop within 5 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
