package dev.loomgate.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;

import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.config.NodeConfig;
import dev.loomgate.gateway.config.NodeConfigParser;

/** Command line entry point of a gateway node. */
public final class Main {
    private static final String USAGE = """
            usage: loomgate-gateway [options]

              --config FILE       node config (YAML); default: ./gateway.yaml if present, else built-in defaults
              --routes FILE       routes file (overrides routes-file in the config)
              --node-id ID        node id (overrides node.id)
              --port N            proxy port (overrides node.port; 0 = any free port)
              --admin-port N      admin port (overrides node.admin-port)
              --check             validate the config and routes, print the result, exit (0 valid, 2 invalid)
              --help              this text

            Signals: SIGTERM/SIGINT drain the node (readiness fails first, in-flight requests finish,
            bounded by drain-timeout), then it exits 0. Config reference: docs/CONFIG.md.
            """;

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s - %5$s%6$s%n");
        }
        NodeConfig config;
        boolean check = false;
        try {
            Path configFile = null;
            String routes = null;
            String nodeId = null;
            Integer port = null;
            Integer adminPort = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--help", "-h" -> {
                        System.out.print(USAGE);
                        return;
                    }
                    case "--config" -> configFile = Path.of(value(args, ++i, "--config"));
                    case "--routes" -> routes = value(args, ++i, "--routes");
                    case "--node-id" -> nodeId = value(args, ++i, "--node-id");
                    case "--port" -> port = intValue(args, ++i, "--port");
                    case "--admin-port" -> adminPort = intValue(args, ++i, "--admin-port");
                    case "--check" -> check = true;
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "' (see --help)");
                }
            }
            if (configFile == null && Files.exists(Path.of("gateway.yaml"))) {
                configFile = Path.of("gateway.yaml");
            }
            config = configFile == null ? NodeConfig.defaults() : NodeConfigParser.parse(configFile);
            if (routes != null) {
                config = config.toBuilder().routesFile(Path.of(routes)).build();
            }
            if (nodeId != null) {
                String id = nodeId;
                config = config.toBuilder().node(n -> n.id(id)).build();
            }
            if (port != null) {
                int p = port;
                config = config.toBuilder().node(n -> n.port(p)).build();
            }
            if (adminPort != null) {
                int p = adminPort;
                config = config.toBuilder().node(n -> n.adminPort(p)).build();
            }
        } catch (IllegalArgumentException | ConfigException e) {
            System.err.println("loomgate: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (check && config.consul().map(c -> c.routesFromKv()).orElse(false)) {
            System.out.println("config ok: node " + config.node().id() + ", routes from Consul KV under "
                    + config.consul().get().kvPrefix() + " (validate routes files with bin/loomgate routes validate)");
            return;
        }
        if (check) {
            try {
                var doc = dev.loomgate.gateway.config.RoutesParser.parse(config.routesFile(), config.limits().maxConfigSize());
                System.out.println("config ok: node " + config.node().id() + ", routes version " + doc.version()
                        + " (" + doc.routes().size() + " routes, " + doc.upstreams().size() + " upstreams)");
                return;
            } catch (ConfigException e) {
                System.err.println("loomgate: " + e.getMessage());
                System.exit(2);
            }
        }
        try {
            dev.loomgate.gateway.observe.AppLogging.install(config.logging(), config.node().id());
        } catch (java.io.IOException e) {
            System.err.println("loomgate: cannot open the application log " + config.logging().file() + ": " + e);
            System.exit(1);
            return;
        }
        GatewayNode node;
        try {
            node = GatewayNode.start(config);
        } catch (ConfigException e) {
            System.err.println("loomgate: cannot start: " + e.getMessage());
            System.exit(2);
            return;
        } catch (java.io.IOException e) {
            System.err.println("loomgate: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runnable drain = () -> Thread.ofPlatform().name("loomgate-drain").start(() -> {
            try {
                node.drainAndStop();
            } catch (RuntimeException e) {
                Logger.getLogger(Main.class.getName()).log(java.util.logging.Level.SEVERE, "drain failed", e);
                node.close();
            }
        });
        // Our own signal handling (not a shutdown hook) so a drained node exits 0, not 143.
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), s -> drain.run());
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> drain.run());
        node.awaitStopped(); // a signal or POST /admin/drain
        Logger.getLogger(Main.class.getName()).info("bye");
        System.exit(0);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int intValue(String[] args, int i, String option) {
        String v = value(args, i, option);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, got '" + v + "'");
        }
    }
}
