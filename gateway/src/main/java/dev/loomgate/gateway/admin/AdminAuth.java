package dev.loomgate.gateway.admin;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;

import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.config.NodeConfig;

/** Decides the admin API token: from config, else env {@value #ENV}; required off loopback. */
public final class AdminAuth {
    public static final String ENV = NodeConfig.Operations.ADMIN_TOKEN_ENV;

    private AdminAuth() {
    }

    /**
     * @throws ConfigException when the admin port is bound to a non-loopback address and no token
     *                         is configured: an open drain endpoint on a network is a kill switch
     */
    public static Optional<String> token(NodeConfig config) throws ConfigException {
        return token(config, System.getenv());
    }

    /** As {@link #token(NodeConfig)} with {@code environment} in place of the process environment. */
    static Optional<String> token(NodeConfig config, Map<String, String> environment) throws ConfigException {
        Optional<String> env = Optional.ofNullable(environment.get(ENV)).filter(s -> !s.isBlank()).map(String::trim);
        Optional<String> token = config.operations().adminToken().or(() -> env);
        String host = config.node().adminHost();
        if (token.isEmpty() && config.edge().admin().requireTokenOnLoopback()) {
            throw new ConfigException("node config", 0, "admin.require-token-on-loopback",
                    "is set, so node.admin-token (or " + ENV + ") is required");
        }
        if (token.isEmpty() && !loopback(host)) {
            throw new ConfigException("node config", 0, "node.admin-token",
                    "is required when node.admin-host (" + host + ") is not a loopback address; set it or " + ENV);
        }
        return token;
    }

    static boolean loopback(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
