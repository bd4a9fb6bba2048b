package dev.loomgate.chaos;

import java.util.HashMap;
import java.util.Map;

/**
 * Command line: {@code demo [dir]} writes the synthetic report; {@code load --target HOST:PORT [options]} runs the
 * load generator without faults and writes records and a report (exit 1 when anything failed).
 */
public final class ChaosMain {
    private ChaosMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            usage();
            return;
        }
        switch (args[0]) {
            case "scenarios" -> System.exit(dev.loomgate.chaos.scenario.ScenariosCli.run(
                    java.util.Arrays.copyOfRange(args, 1, args.length)));
            case "demo" -> ReportDemo.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            case "load" -> System.exit(LoadCommand.run(options(args)));
            case "cluster" -> System.exit(dev.loomgate.chaos.cluster.ClusterCommand.run(
                    java.util.Arrays.copyOfRange(args, 1, args.length)));
            case "aot-startup" -> System.exit(dev.loomgate.chaos.cluster.AotStartupBench.run(
                    java.util.Arrays.copyOfRange(args, 1, args.length)));
            default -> {
                System.err.println("unknown command '" + args[0] + "'");
                usage();
                System.exit(2);
            }
        }
    }

    private static void usage() {
        System.out.println("""
                usage: chaos demo [DIR]
                       chaos cluster up [--netns] [--gateways N] | chaos cluster down   (chaos cluster --help)
                       chaos load --target HOST:PORT [--rate 100] [--duration 10s] [--requests N]
                                  [--path /] [--new-connections 0.2] [--max-in-flight 256] [--out DIR]
                                  [--mix 2,1,1] [--stop-file F] [--events F] [--title T] [--report-title T]
                       chaos scenarios [--quick] [--only 1,2,4] [--loopback] [--port-offset N] [--out DIR]
                       chaos aot-startup [--rounds 5]   (a node's first request and first second, with/without AOT cache)""");
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option VALUE at '" + args[i] + "'");
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        return opts;
    }
}
