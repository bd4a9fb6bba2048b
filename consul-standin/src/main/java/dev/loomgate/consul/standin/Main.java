package dev.loomgate.consul.standin;

import dev.loomgate.consul.standin.api.AclPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code java -jar loomgate-consul-standin.jar --port 8500 [--host 127.0.0.1]}. */
public final class Main {
    private static final String USAGE = """
            Usage: java -jar loomgate-consul-standin.jar [--port 8500] [--host 127.0.0.1] [--data-dir DIR]
                   [--tls-cert PEM --tls-key PEM] [--acl-management-token-file FILE]

            A stand-in for a single Consul agent+server (datacenter dc1) speaking the HTTP API subset of
            contracts/consul-api/SPEC.md: KV (with CAS, locks, blocking queries), agent service/check registration
            with real HTTP/TCP/TTL checks, health, catalog, sessions and status. ACLs are not enforced (tokens
            are accepted and ignored) unless a management token is given. State lives in memory unless
            --data-dir is given.

              --port N     TCP port to listen on (default 8500, 0 = any free port)
              --host H     address to bind (default 127.0.0.1)
              --data-dir D keep KV, services, check statuses, sessions and the index counter in D
                           across restarts (saved about once a second and on a clean stop)
              --tls-cert F --tls-key F
                           serve HTTPS only, with this PEM certificate chain and PKCS#8 key
              --acl-management-token-file F
                           enforce ACLs as Consul does with default_policy = "deny": requests need
                           the token in F (X-Consul-Token or Authorization: Bearer), else 403
              --help       print this help
            """;

    // kept in a field: JUL holds loggers weakly and would forget the level
    private static final Logger HELIDON_LOGGER = Logger.getLogger("io.helidon");

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        quietLogging();
        ConsulStandin.Builder builder = ConsulStandin.builder();
        Path tlsCert = null;
        Path tlsKey = null;
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
                    case "--tls-cert" -> tlsCert = Path.of(value(args, ++i, arg));
                    case "--tls-key" -> tlsKey = Path.of(value(args, ++i, arg));
                    case "--acl-management-token-file" -> builder.acl(AclPolicy.management(
                            readToken(Path.of(value(args, ++i, arg)))));
                    default -> fail("unknown argument '" + arg + "'");
                }
            } catch (IllegalArgumentException e) {
                fail(arg + ": " + e.getMessage());
            }
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            fail("--tls-cert and --tls-key go together");
        }
        if (tlsCert != null) {
            try {
                builder.tls(tlsCert, tlsKey);
            } catch (IllegalArgumentException e) {
                fail("--tls-cert/--tls-key: " + e.getMessage());
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

    /** The token is read from a file so that it does not show in the process list. */
    private static String readToken(Path file) {
        try {
            String token = Files.readString(file).strip();
            if (token.isEmpty()) {
                throw new IllegalArgumentException(file + " is empty");
            }
            return token;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
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
