package dev.loomgate.consul.standin;

import dev.loomgate.consul.standin.agent.AgentRuntime;
import dev.loomgate.consul.standin.api.AclPolicy;
import dev.loomgate.consul.standin.api.HttpApi;
import dev.loomgate.consul.standin.store.NodeIdentity;
import dev.loomgate.consul.standin.store.Snapshot;
import dev.loomgate.consul.standin.store.Store;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;

/**
 * A single-node Consul stand-in (agent and server in one) speaking the subset of the HTTP API in
 * {@code contracts/consul-api/SPEC.md} (in this repository). ACL tokens are accepted and ignored unless an
 * {@link AclPolicy} is given (then enforced as with {@code default_policy = "deny"}); HTTPS when a PEM certificate and
 * key are given (Consul's {@code ports.https} with {@code cert_file}/{@code key_file}).
 *
 * <pre>{@code
 * ConsulStandin consul = ConsulStandin.builder().host("127.0.0.1").port(0).build();
 * consul.start();
 * ... http://127.0.0.1:consul.port() ...
 * consul.restart(false);   // same port, fresh state, index counter reset (SPEC BQ-10)
 * consul.stop();
 * }</pre>
 */
public final class ConsulStandin {
    private static final Logger LOG = Logger.getLogger(ConsulStandin.class.getName());
    private static final Duration IDLE_CONNECTION_TIMEOUT = Duration.ofMinutes(15);

    private final String host;
    private final int requestedPort;
    private final NodeIdentity node;
    private final Duration minimumDeregisterAfter;
    private final Duration reapInterval;
    private final Optional<Path> dataDir;
    private final Optional<AclPolicy> acl;
    private final Optional<SSLContext> tls;
    private final ReentrantLock lifecycle = new ReentrantLock();
    private volatile Store store;
    private volatile int boundPort = -1;
    private WebServer server;
    private AgentRuntime agent;
    private Thread saver;

    private ConsulStandin(Builder builder) {
        this.host = builder.host;
        this.requestedPort = builder.port;
        this.node = builder.node;
        this.minimumDeregisterAfter = builder.minimumDeregisterCriticalServiceAfter;
        this.reapInterval = builder.reapInterval;
        this.dataDir = builder.dataDir;
        this.acl = builder.acl;
        this.tls = builder.tls;
        this.store = dataDir.isPresent() ? load(dataDir.get()) : new Store(node);
    }

    private Store load(Path dir) {
        try {
            return Snapshot.loadOrCreate(dir, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void save() {
        dataDir.ifPresent(dir -> {
            try {
                Snapshot.save(store, dir);
            } catch (IOException e) {
                LOG.warning("cannot save the stand-in state to " + dir + ": " + e);
            }
        });
    }

    /** Saves the state about once a second while it changes, so that even a kill -9 loses little. */
    private void saveLoop(Store current) {
        long saved = current.lastIndex();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long now = current.lastIndex();
            if (now != saved) {
                save();
                saved = now;
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts listening; on a restart, the port bound the first time is reused. */
    public ConsulStandin start() {
        lifecycle.lock();
        try {
            if (server != null) {
                throw new IllegalStateException("consul stand-in is already running on port " + boundPort);
            }
            int port = boundPort >= 0 ? boundPort : requestedPort;
            Store current = store;
            HttpApi api = new HttpApi(current, () -> boundPort, acl);
            WebServerConfig.Builder config = WebServer.builder();
            tls.ifPresent(ctx -> config.tls(t -> t.sslContext(ctx)));
            server = config
                    .host(host)
                    .port(port)
                    .shutdownHook(false)
                    // Helidon closes connections "idle" longer than this even mid-request (default 5m);
                    // a blocking query may legitimately take up to 10m + 10m/16
                    .idleConnectionTimeout(IDLE_CONNECTION_TIMEOUT)
                    // Go's server takes raw ':' and the like in query strings (?node-meta=os:linux);
                    // Helidon's strict prologue validation would answer those with 400
                    .addProtocol(Http1Config.builder().validatePath(false).validatePrologue(false).build())
                    .routing(routing -> routing.any(api))
                    .build()
                    .start();
            if (!server.isRunning()) {
                // Helidon logs the cause (e.g. address in use) and returns a stopped server instead of throwing
                server = null;
                throw new IllegalStateException("cannot listen on " + host + ":" + port
                        + " (see the log above; is the port in use?)");
            }
            boundPort = server.port();
            agent = new AgentRuntime(current, minimumDeregisterAfter, reapInterval);
            agent.start();
            if (dataDir.isPresent()) {
                saver = Thread.ofVirtual().name("consul-standin-saver").start(() -> saveLoop(current));
            }
            LOG.info("consul stand-in listening on " + baseUri() + (acl.isPresent() ? " (ACLs enforced)" : ""));
            return this;
        } finally {
            lifecycle.unlock();
        }
    }

    /** Stops the server and the agent's checks; the state is kept for a later {@link #start()}. */
    public void stop() {
        lifecycle.lock();
        try {
            if (agent != null) {
                agent.stop();
                agent = null;
            }
            if (server != null) {
                server.stop();
                server = null;
                LOG.info("consul stand-in on port " + boundPort + " stopped");
            }
            if (saver != null) {
                saver.interrupt();
                try {
                    saver.join(Duration.ofSeconds(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                saver = null;
                save();
            }
        } finally {
            lifecycle.unlock();
        }
    }

    /**
     * Stops and starts again on the same port. With {@code keepState} false everything is forgotten and the index
     * counter starts over, as after a real agent/server restart without data (clients' indexes go backwards).
     */
    public ConsulStandin restart(boolean keepState) {
        lifecycle.lock();
        try {
            stop();
            if (!keepState) {
                store = new Store(node);
                save();
            }
            return start();
        } finally {
            lifecycle.unlock();
        }
    }

    public boolean isRunning() {
        lifecycle.lock();
        try {
            return server != null && server.isRunning();
        } finally {
            lifecycle.unlock();
        }
    }

    /** The bound port (useful after {@code port(0)}). */
    public int port() {
        if (boundPort < 0) {
            throw new IllegalStateException("consul stand-in has not been started");
        }
        return boundPort;
    }

    public String host() {
        return host;
    }

    /** {@code http://host:port}, or {@code https://} with TLS. */
    public String baseUri() {
        return (tls.isPresent() ? "https://" : "http://") + host + ":" + port();
    }

    /** The last Raft-like index handed out. */
    public long lastIndex() {
        return store.lastIndex();
    }

    /** Makes all waiting blocking queries return now with unchanged data (a spurious wake-up, SPEC BQ-9). */
    public void wakeAllWatchers() {
        store.wakeAllWatchers();
    }

    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8500;
        private NodeIdentity node = NodeIdentity.standard();
        private Duration minimumDeregisterCriticalServiceAfter = Duration.ofMinutes(1);
        private Duration reapInterval = Duration.ofSeconds(30);
        private Optional<Path> dataDir = Optional.empty();
        private Optional<AclPolicy> acl = Optional.empty();
        private Optional<SSLContext> tls = Optional.empty();

        private Builder() {
        }

        /** Enforces ACLs as Consul does with {@code default_policy = "deny"}. */
        public Builder acl(AclPolicy policy) {
            this.acl = Optional.of(Objects.requireNonNull(policy, "policy"));
            return this;
        }

        /** Serves HTTPS only, with this PEM certificate chain and PKCS#8 key (read now). */
        public Builder tls(Path certFile, Path keyFile) {
            this.tls = Optional.of(PemServerTls.sslContext(certFile, keyFile));
            return this;
        }

        /**
         * Keeps the state in this directory across restarts (and process restarts), like a Consul agent's data
         * dir; without it the state lives in memory only.
         */
        public Builder dataDir(Path dir) {
            Objects.requireNonNull(dir, "dataDir");
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new IllegalArgumentException("data-dir " + dir + " is not a directory");
            }
            this.dataDir = Optional.of(dir);
            return this;
        }

        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** 0 picks a free port. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        public Builder node(NodeIdentity node) {
            this.node = Objects.requireNonNull(node, "node");
            return this;
        }

        /**
         * Lower bound applied to DeregisterCriticalServiceAfter (Consul: 1m). Tests may lower it to see the reaper
         * work in seconds.
         */
        public Builder minimumDeregisterCriticalServiceAfter(Duration minimum) {
            this.minimumDeregisterCriticalServiceAfter = Objects.requireNonNull(minimum, "minimum");
            return this;
        }

        /** How often the critical-service reaper runs (Consul: about 30s). */
        public Builder reapInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("reap interval must be positive, was " + interval);
            }
            this.reapInterval = interval;
            return this;
        }

        public ConsulStandin build() {
            return new ConsulStandin(this);
        }
    }
}
