package dev.loomgate.gateway.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

import dev.loomgate.gateway.config.ConsulConfig;
import dev.loomgate.gateway.config.NodeConfig;
import dev.loomgate.gateway.consul.Backoff;
import dev.loomgate.gateway.consul.BlockingWatch;
import dev.loomgate.gateway.consul.ConsulClient;
import dev.loomgate.gateway.consul.ConsulException;
import dev.loomgate.gateway.consul.ServiceInstance;
import dev.loomgate.gateway.consul.ServiceRegistration;

/**
 * Registers this node as service {@code loomgate} with an HTTP check on its readiness endpoint,
 * watches the service so it can list the cluster's nodes, re-registers when the agent has
 * forgotten it (agent restart, or reaped after DeregisterCriticalServiceAfter), and deregisters
 * on graceful shutdown.
 */
public final class NodeRegistration implements AutoCloseable {
    public static final String SERVICE = "loomgate";
    private static final Logger LOG = Logger.getLogger(NodeRegistration.class.getName());
    private static final String VERSION = Optional.ofNullable(NodeRegistration.class.getPackage().getImplementationVersion())
            .orElse("dev");
    // the readiness check's timeout: twice its interval, at most this
    private static final Duration CHECK_TIMEOUT_CAP = Duration.ofSeconds(5);

    private final ConsulClient client;
    private final ServiceRegistration registration;
    private final BlockingWatch<List<ServiceInstance>> watch;
    private volatile List<ServiceInstance> nodes = List.of();
    private volatile boolean registered;
    private volatile boolean closing;

    public NodeRegistration(ConsulClient client, ServiceRegistration registration, Duration wait, Backoff backoff) {
        this.client = client;
        this.registration = registration;
        this.watch = new BlockingWatch<>("nodes",
                (index, w) -> client.healthService(SERVICE, List.of(), false, index, w), wait, backoff,
                new BlockingWatch.Listener<>() {
                    @Override
                    public void changed(List<ServiceInstance> value) {
                        nodes = value;
                        boolean present = value.stream().anyMatch(i -> i.serviceId().equals(registration.id()));
                        if (!present && !closing) {
                            if (registered) {
                                LOG.warning(() -> "Consul forgot node " + registration.id() + "; registering again");
                            }
                            register();
                        }
                    }
                });
    }

    /**
     * Registers this node (proxy port, admin port in the meta, readiness check on the admin
     * listener) and starts watching the cluster's nodes.
     */
    public static NodeRegistration start(ConsulClient client, ConsulConfig config, NodeConfig.Node node, int port,
                                         int adminPort, Backoff backoff) {
        String address = advertiseAddress(config, node);
        String adminHost = wildcard(node.adminHost()) ? address : node.adminHost();
        Duration twice = config.checkInterval().multipliedBy(2);
        var check = new ServiceRegistration.HttpCheck("loomgate:" + node.id() + ":ready",
                "http://" + hostPort(adminHost, adminPort) + "/health/ready", config.checkInterval(),
                twice.compareTo(CHECK_TIMEOUT_CAP) < 0 ? twice : CHECK_TIMEOUT_CAP, config.deregisterAfter());
        var reg = new ServiceRegistration(node.id(), SERVICE, address, port, List.of(),
                Map.of("version", VERSION, "admin-port", Integer.toString(adminPort)), Optional.of(check));
        return new NodeRegistration(client, reg, config.watchWait(), backoff).start();
    }

    private static String advertiseAddress(ConsulConfig config, NodeConfig.Node node) {
        if (config.advertiseAddress().isPresent()) {
            return config.advertiseAddress().get();
        }
        if (!wildcard(node.host())) {
            return node.host();
        }
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (IOException e) {
            return "127.0.0.1";
        }
    }

    private static boolean wildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    public NodeRegistration start() {
        register();
        watch.start();
        return this;
    }

    private void register() {
        if (closing) {
            return;
        }
        try {
            client.register(registration);
            registered = true;
            LOG.info(() -> "registered in Consul as " + SERVICE + "/" + registration.id() + " ("
                    + registration.address() + ":" + registration.port() + ")");
        } catch (ConsulException e) {
            registered = false;
            LOG.warning(() -> "could not register in Consul (will retry when it answers): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The cluster's nodes as Consul last reported them (any health). */
    public List<ServiceInstance> nodes() {
        return nodes;
    }

    /** Nodes whose checks pass (at least 1: this one). */
    public int liveNodes() {
        return Math.max(1, (int) nodes.stream().filter(ServiceInstance::passing).count());
    }

    public boolean registered() {
        return registered;
    }

    public ServiceRegistration registration() {
        return registration;
    }

    /** Removes this node from Consul (idempotent; an unknown ID counts as done). */
    public void deregister() {
        if (closing) {
            return;
        }
        closing = true;
        watch.close();
        try {
            client.deregister(registration.id());
            LOG.info(() -> "deregistered " + registration.id() + " from Consul");
        } catch (ConsulException e) {
            LOG.warning(() -> "could not deregister from Consul: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        registered = false;
    }

    @Override
    public void close() {
        deregister();
    }
}
