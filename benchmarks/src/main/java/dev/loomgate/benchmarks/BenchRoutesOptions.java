package dev.loomgate.benchmarks;

import java.util.List;

/** The options of {@code bin/bench-routes}. */
record BenchRoutesOptions(int routes, boolean quick, boolean help) {
    static final String USAGE = """
            usage: bin/bench-routes [options]   (or: make bench-routes BENCH_ARGS='...')
            JMH benchmarks of route matching and snapshot building over a generated table (hosts, wildcard hosts,
            exact paths, templates, prefixes; lookups that hit each kind and miss). Prints the figures and whether
            each goal is met (match <= 2 us on average, build + swap <= 1 s); exits 1 when one is missed.
              --routes N   routes in the generated table (default 10000, at least 100)
              --quick      fewer and shorter iterations (a smoke run: about 30 s instead of about 2 minutes)
              --help       this text""";

    static BenchRoutesOptions parse(List<String> args) {
        int routes = 10_000;
        boolean quick = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--help", "-h" -> {
                    return new BenchRoutesOptions(routes, quick, true);
                }
                case "--quick" -> quick = true;
                case "--routes" -> {
                    if (i + 1 >= args.size()) {
                        throw new IllegalArgumentException("--routes needs a number");
                    }
                    String v = args.get(++i);
                    try {
                        routes = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--routes: '" + v + "' is not a number");
                    }
                    if (routes < 100) {
                        throw new IllegalArgumentException("--routes: at least 100, got " + routes);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "' (see --help)");
            }
        }
        return new BenchRoutesOptions(routes, quick, false);
    }
}
