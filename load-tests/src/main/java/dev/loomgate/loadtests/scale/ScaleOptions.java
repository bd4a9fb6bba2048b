package dev.loomgate.loadtests.scale;

import static dev.loomgate.loadtests.OptionArgs.nonNegative;
import static dev.loomgate.loadtests.OptionArgs.positive;
import static dev.loomgate.loadtests.OptionArgs.splitOpts;
import static dev.loomgate.loadtests.OptionArgs.value;

import dev.loomgate.loadtests.NodeRunOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Options of the scale-curves benchmark.
 *
 * @param dimensions   which curves to measure, in order
 * @param routes       route-table sizes
 * @param endpoints    upstream endpoint counts
 * @param connections  wrk connection counts
 * @param sizes        response body sizes, bytes
 * @param durationSec  wrk seconds per point
 * @param warmupSec    wrk warm-up of each gateway started (nginx gets min(S, 3))
 * @param nginx        also measure nginx at each point
 */
public record ScaleOptions(List<String> dimensions, List<Integer> routes, List<Integer> endpoints,
                           List<Integer> connections, List<Integer> sizes, int durationSec, int warmupSec,
                           boolean nginx, Path gatewayJar, List<String> gatewayJvmOpts, Path outDir, boolean keepTemp) {

    static final List<String> ALL = List.of("routes", "endpoints", "connections", "size");
    static final List<String> DEFAULT_JVM_OPTS = List.of("-XX:+UseParallelGC", "-Xms512m", "-Xmx512m");

    static final String HELP = """
            Usage: bin/bench-scale [options]   (or: make bench-scale BENCH_ARGS="...")
            Scale curves: wrk -t2 throughput and p99 of one Loomgate node and of nginx as a reverse proxy, against
              routes       number of routes (generated path-prefix routes; the request matches the last one)
              endpoints    upstream endpoints (one origin nginx listening on that many ports; round robin)
              connections  concurrent client connections (wrk -c)
              size         response body size (static files served by the origin)
            Each curve varies one thing from the base point (10 routes, 1 endpoint, 64 connections, 100 B).
            Prints progress, a table per curve with Loomgate/nginx, and where Loomgate's cost grows.
              --dimensions LIST   curves to measure (default routes,endpoints,connections,size)
              --routes LIST       route counts (default 10,1000,10000)
              --endpoints LIST    endpoint counts (default 1,10,100)
              --connections LIST  connection counts (default 64,1000,10000)
              --sizes LIST        body sizes in bytes (default 100,10240,1048576)
              --duration S        wrk seconds per point (default 10)
              --warmup S          warm-up of each gateway started (default 15; nginx gets min(S, 3))
              --quick             3 s per point, 5 s warm-up (explicit flags still win)
              --no-nginx          Loomgate only
              --gateway-jar FILE  gateway jar (default gateway/target/loomgate-gateway.jar)
              --gateway-jvm-opts "OPTS"  JVM options of the node (default "-XX:+UseParallelGC -Xms512m -Xmx512m")
              --out DIR           report directory (default load-tests/target/bench)
              --keep-temp         keep the temp dir with configs and logs
              --help              this text
            Writes scale-<timestamp>.json/.md and scale-latest.json/.md (a Markdown table for the README).
            Exit 0 when the curves were measured (failed requests at a point are reported in its row), 1 when a
            process died or a tool failed, 2 on bad options.""";

    static ScaleOptions parse(String[] args, Path root) {
        boolean quick = List.of(args).contains("--quick");
        List<String> dims = ALL;
        List<Integer> routes = List.of(10, 1000, 10000), endpoints = List.of(1, 10, 100),
                connections = List.of(64, 1000, 10000), sizes = List.of(100, 10240, 1048576);
        Integer duration = null, warmup = null;
        boolean nginx = true;
        NodeRunOptions node = new NodeRunOptions(root, DEFAULT_JVM_OPTS);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> { }
                case "--no-nginx" -> nginx = false;
                case "--dimensions" -> dims = dimensions(value(args, ++i, a));
                case "--routes" -> routes = list(value(args, ++i, a), a, 1, 100_000);
                case "--endpoints" -> endpoints = list(value(args, ++i, a), a, 1, 500);
                case "--connections" -> connections = list(value(args, ++i, a), a, 2, 15_000);
                case "--sizes" -> sizes = list(value(args, ++i, a), a, 1, 64 * 1024 * 1024);
                case "--duration" -> duration = positive(args, ++i, a);
                case "--warmup" -> warmup = nonNegative(args, ++i, a);
                default -> i = node.require(args, i);
            }
        }
        return new ScaleOptions(dims, routes, endpoints, connections, sizes,
                duration != null ? duration : quick ? 3 : 10, warmup != null ? warmup : quick ? 5 : 15,
                nginx, node.gatewayJar(), node.gatewayJvmOpts(), node.outDir(), node.keepTemp());
    }

    private static List<String> dimensions(String s) {
        List<String> dims = new ArrayList<>();
        for (String d : s.split(",")) {
            String t = d.strip();
            if (!ALL.contains(t)) {
                throw new IllegalArgumentException("--dimensions: unknown curve '" + t + "' (known: " + String.join(",", ALL) + ")");
            }
            if (!dims.contains(t)) {
                dims.add(t);
            }
        }
        return List.copyOf(dims);
    }

    /** A comma-separated list of whole numbers in [min, max], ascending, no repeats. */
    static List<Integer> list(String s, String flag, int min, int max) {
        List<Integer> values = new ArrayList<>();
        for (String part : s.split(",")) {
            try {
                int v = Integer.parseInt(part.strip());
                if (v < min || v > max) {
                    throw new IllegalArgumentException(flag + ": " + v + " is outside " + min + ".." + max);
                }
                values.add(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " needs comma-separated whole numbers, got '" + s + "'");
            }
        }
        if (Set.copyOf(values).size() != values.size() || !values.equals(values.stream().sorted().toList())) {
            throw new IllegalArgumentException(flag + " needs ascending values without repeats, got '" + s + "'");
        }
        return List.copyOf(values);
    }
}
