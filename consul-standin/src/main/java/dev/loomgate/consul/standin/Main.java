package dev.loomgate.consul.standin;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code java -jar loomgate-consul-standin.jar --port 8500 [--host 127.0.0.1]}. */
public final class Main {
    private static final String USAGE = """
            Usage: java -jar loomgate-consul-standin.jar [--port 8500] [--host 127.0.0.1] [--data-dir DIR]

            A stand-in for a single Consul agent+server (datacenter dc1) speaking the HTTP API subset of
            contracts/consul-api/SPEC.md: KV (with CAS, locks, blocking queries), agent service/check registration
            with real HTTP/TCP/TTL checks, health, catalog, sessions and status. ACLs are not enforced: tokens
            are accepted and ignored. State lives in memory unless --data-dir is given.

              --port N     TCP port to listen on (default 8500, 0 = any free port)
              --host H     address to bind (default 127.0.0.1)
              --data-dir D keep KV, services, check statuses, sessions and the index counter in D
                           across restarts (saved about once a second and on a clean stop)
              --help       print this help
            """;

    // kept in a field: JUL holds loggers weakly and would forget the level
    private static final Logger HELIDON_LOGGER = Logger.getLogger("io.helidon");

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        quietLogging();
        ConsulStandin.Builder builder = ConsulStandin.builder();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            try {
                switch (arg) {
                    case "--help", "-h" -> {
                        System.out.print(USAGE);
                        return;
                    }
                    case "--port" -> builder.port(parsePort(value(args, ++i, arg)));
                    case "--host" -> builder.host(value(args, ++i, arg));
                    case "--data-dir" -> builder.dataDir(Path.of(value(args, ++i, arg)));
                    default -> fail("unknown argument '" + arg + "'");
                }
            } catch (IllegalArgumentException e) {
                fail(arg + ": " + e.getMessage());
            }
        }
        ConsulStandin standin;
        try {
            standin = builder.build().start();
        } catch (RuntimeException e) {
            fail("cannot start: " + e.getMessage());
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            standin.stop();
            stopped.countDown();
        }, "consul-standin-shutdown"));
        stopped.await();
    }

    /** One line per log record, and only Helidon's warnings, so that a start logs a single line. */
    private static void quietLogging() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format",
                    "%1$tF %1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        }
        HELIDON_LOGGER.setLevel(Level.WARNING);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            fail(option + " needs a value");
        }
        return args[i];
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        fail("--port must be a number 0..65535, was '" + text + "'");
        return -1;
    }

    private static void fail(String message) {
        System.err.println("consul-standin: " + message);
        System.err.print(USAGE);
        System.exit(2);
    }
}
