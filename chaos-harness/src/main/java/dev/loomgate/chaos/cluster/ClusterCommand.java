package dev.loomgate.chaos.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;

/**
 * {@code chaos cluster up [--netns] [--gateways N] [--work DIR] [--port-offset N] [--secure-backends | --secure]
 * [--no-smoke]}:
 * starts the
 * cluster in the foreground until Ctrl-C; {@code chaos cluster down [--work DIR] [--prefix lg-]} cleans up
 * after a crashed run.
 */
public final class ClusterCommand {
    static final String USAGE = """
            usage: chaos cluster up [--netns] [--gateways N] [--work DIR] [--port-offset N]
                                    [--secure-backends | --secure] [--no-smoke]
                   chaos cluster down [--work DIR] [--prefix lg-]

              up     render every config with Ansible, start the cluster, wait until it is ready, run the
                     smoke check, print the summary ("cluster ready ..."), then run until Ctrl-C (which stops
                     every process it started and deletes its namespaces)
                     --netns        namespace mode (root): 2 HAProxy + keepalived with a VIP, one namespace
                                    per host; default: loopback mode, everything on 127.0.0.1, no root
                     --gateways N   gateway nodes (3..9, default 3)
                     --work DIR     configs, logs, PID files (default /tmp/loomgate-cluster)
                     --port-offset  loopback: shift every port (default 0: front on 127.0.0.1:18080)
                     --secure-backends
                                    Redis + Sentinel TLS-only with AUTH (gateways as an ACL user), the Consul
                                    stand-in HTTPS-only with ACLs (default deny, a token); a throwaway CA
                                    made at start in DIR/tls (also: LOOMGATE_SECURE_BACKENDS=1)
                     --secure       security on everywhere: --secure-backends, HAProxy terminating TLS at
                                    the front (port 18443 + offset, or 443 on the VIP; plain HTTP redirected)
                                    and two routes behind authentication: /secure/jwt (RS256 token from this
                                    run's key) and /secure/key (an API key made with `loomgate keys create`);
                                    the smoke check proves both (also: LOOMGATE_SECURE=1)
                     --no-smoke     skip the smoke check
              down   stop the processes named by DIR/pids (after checking each PID is still that process)
                     and delete the namespaces with the prefix (default lg-) when the run used them
            """;
    static final Path DEFAULT_WORK = Path.of("/tmp/loomgate-cluster");

    private ClusterCommand() {
    }

    public static int run(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            System.out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        boolean netns = false;
        boolean smoke = true;
        int gateways = 3;
        int offset = 0;
        Path work = DEFAULT_WORK;
        String prefix = ClusterSpec.DEFAULT_NETNS_PREFIX;
        boolean prefixGiven = false;
        boolean secureBackends = "1".equals(System.getenv("LOOMGATE_SECURE_BACKENDS"));
        boolean secure = "1".equals(System.getenv("LOOMGATE_SECURE"));
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--netns" -> netns = true;
                case "--no-smoke" -> smoke = false;
                case "--secure-backends" -> secureBackends = true;
                case "--secure" -> secure = true;
                case "--gateways" -> gateways = Integer.parseInt(value(args, ++i));
                case "--port-offset" -> offset = Integer.parseInt(value(args, ++i));
                case "--work" -> work = Path.of(value(args, ++i)).toAbsolutePath();
                case "--prefix" -> {
                    prefix = value(args, ++i);
                    prefixGiven = true;
                }
                case "-h", "--help" -> {
                    System.out.print(USAGE);
                    return 0;
                }
                default -> {
                    System.err.println("chaos cluster: unknown option '" + args[i] + "'\n" + USAGE);
                    return 2;
                }
            }
        }
        Consumer<String> progress = ClusterCommand::log;
        switch (args[0]) {
            case "up" -> {
                ClusterSpec spec = (netns ? ClusterSpec.netns(ClusterSpec.findRepoRoot())
                        : ClusterSpec.loopback(ClusterSpec.findRepoRoot()))
                        .withGateways(gateways).withPortOffset(offset).withNetnsPrefix(prefix)
                        .withSecureBackends(secureBackends);
                spec = secure ? spec.withSecurity(true) : spec;
                Files.createDirectories(work);
                Files.writeString(work.resolve("mode"), (netns ? "netns " + prefix : "loopback") + "\n");
                LocalCluster cluster = LocalCluster.start(spec, work, progress);
                if (smoke) {
                    new SmokeCheck(cluster).run(progress);
                }
                System.out.println(cluster.summary());
                System.out.println("Ctrl-C stops the cluster.");
                Thread.currentThread().join(); // the shutdown hook stops everything
                return 0;
            }
            case "down" -> {
                Path modeFile = work.resolve("mode");
                String mode = Files.exists(modeFile) ? Files.readString(modeFile).trim() : "";
                if (!prefixGiven && mode.startsWith("netns ")) {
                    prefix = mode.substring("netns ".length());
                }
                boolean namespaces = prefixGiven || mode.startsWith("netns");
                ClusterDown.down(work, namespaces ? prefix : "\0none", progress);
                return 0;
            }
            default -> {
                System.err.println("chaos cluster: unknown command '" + args[0] + "'\n" + USAGE);
                return 2;
            }
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException("missing value after " + args[i - 1]);
        }
        return args[i];
    }

    private static void log(String line) {
        System.out.println(LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + "  " + line);
    }
}
