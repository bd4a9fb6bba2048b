package dev.loomgate.gateway.call;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.loomgate.gateway.client.ClientSettings;
import dev.loomgate.gateway.client.HttpFields;
import dev.loomgate.gateway.client.RequestBody;
import dev.loomgate.gateway.client.UpstreamClient;
import dev.loomgate.gateway.client.UpstreamRequest;
import dev.loomgate.gateway.client.UpstreamResponse;
import dev.loomgate.gateway.resilience.HealthCheckSettings;
import dev.loomgate.gateway.resilience.ResilienceMetrics;
import dev.loomgate.gateway.tls.ClientTls;
import dev.loomgate.gateway.upstream.Upstream;
import dev.loomgate.gateway.upstream.UpstreamHost;

/**
 * Active health checks: one virtual thread per upstream that has {@code health-check:}, probing
 * every endpoint each interval (each probe on its own virtual thread) and recording the result
 * on the endpoint's {@link dev.loomgate.gateway.resilience.EndpointHealth}, which the balancer reads.
 *
 * <p>A supervisor thread follows config reloads: it starts a checker for a new upstream or
 * changed settings and stops one whose upstream or {@code health-check:} went away. Results live
 * on the hosts, which reloads keep for unchanged endpoints, so health survives a reload. Probes
 * use their own small client so they never take pooled connections from traffic.
 */
public final class HealthCheckers implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HealthCheckers.class.getName());
    private static final Duration SUPERVISE_EVERY = Duration.ofMillis(200);

    private final Supplier<Map<String, Upstream>> upstreams;
    private final ResilienceMetrics metrics;
    private final UpstreamClient client = new UpstreamClient(
            new ClientSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), 4, Duration.ofSeconds(2)));
    private final Map<String, Checker> running = new HashMap<>(); // supervisor thread only
    private volatile boolean closed;
    private Thread supervisor;

    public HealthCheckers(Supplier<Map<String, Upstream>> upstreams, ResilienceMetrics metrics) {
        this.upstreams = upstreams;
        this.metrics = metrics;
    }

    public void start() {
        supervisor = Thread.ofVirtual().name("loomgate-health-supervisor").start(this::supervise);
    }

    private void supervise() {
        while (!closed) {
            try {
                reconcile();
                Thread.sleep(SUPERVISE_EVERY);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "health check supervisor", e);
            }
        }
    }

    private void reconcile() {
        Map<String, Upstream> now = upstreams.get();
        for (Upstream u : now.values()) {
            Optional<HealthCheckSettings> hc = u.definition().resilience().healthCheck();
            Checker c = running.get(u.name());
            if (hc.isEmpty()) {
                if (c != null) {
                    c.stop();
                    running.remove(u.name());
                    u.hosts().forEach(h -> h.health().clearChecks());
                }
                continue;
            }
            if (c == null || !c.settings.equals(hc.get())) {
                if (c != null) {
                    c.stop();
                }
                running.put(u.name(), new Checker(u.name(), hc.get()));
            }
        }
        running.entrySet().removeIf(e -> {
            if (!now.containsKey(e.getKey())) {
                e.getValue().stop();
                return true;
            }
            return false;
        });
    }

    /** The probe loop of one upstream. */
    private final class Checker {
        final String upstream;
        final HealthCheckSettings settings;
        final Thread thread;
        volatile boolean stopped;

        Checker(String upstream, HealthCheckSettings settings) {
            this.upstream = upstream;
            this.settings = settings;
            this.thread = Thread.ofVirtual().name("loomgate-health-" + upstream).start(this::loop);
        }

        void stop() {
            stopped = true;
            thread.interrupt();
        }

        private void loop() {
            while (!stopped && !closed) {
                Upstream u = upstreams.get().get(upstream);
                if (u == null) {
                    return;
                }
                List<Thread> probes = new ArrayList<>(u.hosts().size());
                for (UpstreamHost h : u.hosts()) {
                    probes.add(Thread.ofVirtual().name("loomgate-health-probe").start(() -> probeAndRecord(h, u.definition().tls())));
                }
                try {
                    for (Thread t : probes) {
                        t.join(settings.timeout().plusSeconds(1));
                    }
                    Thread.sleep(settings.interval());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void probeAndRecord(UpstreamHost h, Optional<ClientTls> tls) {
            boolean passed = probe(h, tls);
            if (stopped) {
                return;
            }
            if (h.health().recordCheck(passed, settings.healthyThreshold(), settings.unhealthyThreshold())) {
                metrics.healthChanged(upstream, h.endpoint().id(), passed);
                LOG.warning(() -> "upstream '" + upstream + "': endpoint " + h + " is now "
                        + (passed ? "healthy" : "unhealthy") + " (active health check " + settings.path() + ")");
            }
        }

        /** Over TLS when the upstream's traffic is (a check must see what requests see). */
        private boolean probe(UpstreamHost h, Optional<ClientTls> tls) {
            HttpFields headers = new HttpFields(3);
            headers.add("Host", h.endpoint().id());
            headers.add("User-Agent", "loomgate-health-check");
            UpstreamRequest req = new UpstreamRequest("GET", settings.path(), headers, RequestBody.NONE, true);
            try (UpstreamResponse r = tls.isPresent()
                    ? client.exchange(h.endpoint(), tls.get(), req, settings.timeout(), settings.timeout())
                    : client.exchange(h.endpoint(), req, settings.timeout(), settings.timeout())) {
                r.body().readNBytes(64 * 1024);
                return settings.expectedStatuses().contains(r.status());
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "health check of " + h + " failed", e);
                return false;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (supervisor != null) {
            supervisor.interrupt();
            try {
                supervisor.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        running.values().forEach(Checker::stop);
        client.close();
    }
}
