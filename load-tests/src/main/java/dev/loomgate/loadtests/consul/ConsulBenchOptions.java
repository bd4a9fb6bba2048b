package dev.loomgate.loadtests.consul;

import java.util.List;

/**
 * The options of {@code bin/bench-consul}.
 *
 * @param routes size of the generated route table every push carries (0: the small hand-written one)
 */
record ConsulBenchOptions(String gatewayJar, String standinJar, int pushes, int warmup, int routes, boolean help) {
    static final String USAGE = """
            usage: bin/bench-consul [options]   (or: make bench-consul BENCH_ARGS='...')
            Route propagation: time from `routes push` returning to all 3 nodes serving the new route.
              --pushes N           measured pushes (default 50)
              --warmup N           unmeasured pushes first (default 10)
              --routes N           every push carries a generated table of N routes (hosts, wildcard hosts, exact
                                   paths, templates, prefixes; one Consul key per route) plus the added ones;
                                   0 = a small table (default). With 10000 try --pushes 20 --warmup 3
              --gateway-jar PATH   gateway jar
              --standin-jar PATH   Consul stand-in jar
              --help               this text""";

    static ConsulBenchOptions parse(List<String> args) {
        String gatewayJar = "gateway/target/loomgate-gateway.jar";
        String standinJar = "consul-standin/target/loomgate-consul-standin.jar";
        int pushes = 50;
        int warmup = 10;
        int routes = 0;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--help", "-h" -> {
                    return new ConsulBenchOptions(gatewayJar, standinJar, pushes, warmup, routes, true);
                }
                case "--gateway-jar" -> gatewayJar = value(args, ++i, a);
                case "--standin-jar" -> standinJar = value(args, ++i, a);
                case "--pushes" -> pushes = number(args, ++i, a, 1);
                case "--warmup" -> warmup = number(args, ++i, a, 0);
                case "--routes" -> {
                    routes = number(args, ++i, a, 0);
                    if (routes != 0 && routes < 100) {
                        throw new IllegalArgumentException("--routes: 0 or at least 100, got " + routes);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + a + " (see --help)");
            }
        }
        return new ConsulBenchOptions(gatewayJar, standinJar, pushes, warmup, routes, false);
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    private static int number(List<String> args, int i, String option, int min) {
        String v = value(args, i, option);
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + v + "' is not a number");
        }
        if (n < min) {
            throw new IllegalArgumentException(option + ": at least " + min + ", got " + n);
        }
        return n;
    }
}
