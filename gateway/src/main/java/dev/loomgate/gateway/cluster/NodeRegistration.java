package dev.loomgate.gateway.cluster;

import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;

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
