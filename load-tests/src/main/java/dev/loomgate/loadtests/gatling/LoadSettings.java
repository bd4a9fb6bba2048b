package dev.loomgate.loadtests.gatling;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Every parameter of a load run. The launcher ({@link LoadRun}, {@code bin/load-test}) reads them from
 * {@code --key value} arguments; it hands them to the Gatling JVM as {@code -Dload.key=value} system
 * properties, from which the simulation reads the same record back ({@link #fromSystemProperties}).
 */
public record LoadSettings(Sim sim, Target target, Optional<String> url, String path, double rate, int durationSec,
                           int warmupSec, double spikeFactor, double stressStart, double stressStep,
                           double stressMax, int plateauSec, int p99Ms, double maxErrorPct, int maxHeapGrowthMb,
                           int portOffset, Path clusterWork) {

    /** Where the simulations send their load. */
    public enum Target { CLUSTER, NODE }

    public static final String HELP = """
            usage: make load SIM=steady|spike|stress|soak-short [TARGET=cluster|node] [LOAD_ARGS="--rate 300 ..."]
                   bin/load-test --sim NAME [options]

            Gatling load simulations (open model: new requests per second regardless of how fast answers come).
              --sim NAME              steady | spike | stress | soak-short (required)
              --target cluster|node   cluster (default): through the HAProxy front of the local cluster, started
                                      with 'bin/chaos cluster up' when none answers (and stopped afterwards);
                                      node: one gateway node in front of an nginx origin, both started here
              --url URL               load an already running front instead (no start, no stop); no memory figures
              --path PATH             request path (default /demo on the cluster, / on a node)
              --rate N                requests/s of steady, spike (base) and soak-short (default 200)
              --duration S            seconds of the measured part (default steady 60, spike 60, soak-short 600)
              --warmup S              warm-up at the first rate before measuring, not asserted (default 20)
              --spike-factor F        spike: the middle third runs at rate x F, a step up and down (default 5)
              --stress-start N        stress: first plateau's rate (default 100)
              --stress-step N         stress: added per plateau (default 100)
              --stress-max N          stress: last plateau's rate (default 1500)
              --plateau S             stress: seconds per plateau (default 15)
              --p99-ms MS             goal: p99 of each measured phase <= MS (default 50)
              --max-error-pct P       goal: failed requests <= P %% of each measured phase (default 0.1)
              --max-heap-growth-mb M  soak-short goal: heap after GC grows by <= M MB per node (default 32)
              --port-offset N         cluster ports shifted by N (default 0: front on 127.0.0.1:18080)
              --cluster-work DIR      the cluster's work dir (default /tmp/loomgate-cluster, as bin/chaos)
              -h, --help              this text

            Goals: steady, spike and soak-short fail (exit 1) when a measured phase misses p99 or the error
            share (Gatling assertions); stress runs every plateau, then prints per plateau p99 and error share
            and the highest rate that held (both goals met by it and every plateau before it), and fails when
            not even the first plateau held. soak-short forces a GC (jcmd GC.run) and prints heap after GC
            (the node's /metrics) and RSS (/proc/PID/status) of each node at start and end.
            HTML reports: load-tests/target/gatling/<simulation>-<time>/index.html (path printed at the end).
            """.replace("%%", "%");

    private static final List<String> KEYS = List.of("sim", "target", "url", "path", "rate", "duration", "warmup",
            "spike-factor", "stress-start", "stress-step", "stress-max", "plateau", "p99-ms", "max-error-pct",
            "max-heap-growth-mb", "port-offset", "cluster-work");
    static final String PROPERTY_PREFIX = "load.";

    public LoadSettings {
        positive("rate", rate);
        positive("spike-factor", spikeFactor);
        positive("stress-start", stressStart);
        positive("stress-step", stressStep);
        positive("plateau", plateauSec);
        positive("p99-ms", p99Ms);
        if (durationSec <= 0 && sim != Sim.STRESS) {
            throw new IllegalArgumentException("--duration must be > 0");
        }
        if (warmupSec < 0 || maxErrorPct < 0 || maxHeapGrowthMb < 0 || portOffset < 0) {
            throw new IllegalArgumentException("--warmup, --max-error-pct, --max-heap-growth-mb and --port-offset "
                    + "must not be negative");
        }
        if (stressMax < stressStart) {
            throw new IllegalArgumentException("--stress-max (" + stressMax + ") is below --stress-start ("
                    + stressStart + ")");
        }
        if (sim == Sim.STRESS && (stressMax - stressStart) / stressStep >= 100) {
            throw new IllegalArgumentException("stress: more than 100 plateaus; raise --stress-step");
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("--path must start with /: " + path);
        }
        url.ifPresent(u -> {
            if (!u.matches("https?://[^/]+")) {
                throw new IllegalArgumentException("--url must be scheme://host:port without a path: " + u);
            }
        });
    }

    /** Parses {@code --key value} / {@code --key=value} arguments (no --help: the caller handles it). */
    public static LoadSettings parseArgs(List<String> args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            String key = a.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException("missing value after " + a);
                }
                value = args.get(++i);
            }
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key + " (see --help)");
            }
            values.put(key, value);
        }
        return of(values);
    }

    /** The settings the launcher passed as {@code -Dload.*} system properties. */
    public static LoadSettings fromSystemProperties() {
        return fromProperties(System.getProperties());
    }

    static LoadSettings fromProperties(Properties props) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String k : KEYS) {
            String v = props.getProperty(PROPERTY_PREFIX + k);
            if (v != null && !v.isEmpty()) {
                values.put(k, v);
            }
        }
        return of(values);
    }

    static LoadSettings of(Map<String, String> v) {
        String simId = v.get("sim");
        if (simId == null) {
            throw new IllegalArgumentException("--sim is required: steady, spike, stress or soak-short");
        }
        Sim sim = Sim.of(simId);
        Target target = switch (v.getOrDefault("target", "cluster")) {
            case "cluster" -> Target.CLUSTER;
            case "node" -> Target.NODE;
            default -> throw new IllegalArgumentException("--target must be cluster or node: " + v.get("target"));
        };
        return new LoadSettings(sim, target, Optional.ofNullable(v.get("url")),
                v.getOrDefault("path", target == Target.CLUSTER ? "/demo" : "/"),
                number(v, "rate", 200), integer(v, "duration", sim.defaultDurationSec()), integer(v, "warmup", 20),
                number(v, "spike-factor", 5), number(v, "stress-start", 100), number(v, "stress-step", 100),
                number(v, "stress-max", 1500), integer(v, "plateau", 15), integer(v, "p99-ms", 50),
                number(v, "max-error-pct", 0.1), integer(v, "max-heap-growth-mb", 32), integer(v, "port-offset", 0),
                Path.of(v.getOrDefault("cluster-work", "/tmp/loomgate-cluster")));
    }

    /** The same settings as {@code -Dload.key=value} arguments, with {@code url} the front to load. */
    public List<String> systemPropertyArgs(String frontUrl) {
        List<String> out = new ArrayList<>();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("sim", sim.id());
        m.put("target", target.name().toLowerCase(Locale.ROOT));
        m.put("url", frontUrl);
        m.put("path", path);
        m.put("rate", num(rate));
        m.put("duration", Integer.toString(durationSec));
        m.put("warmup", Integer.toString(warmupSec));
        m.put("spike-factor", num(spikeFactor));
        m.put("stress-start", num(stressStart));
        m.put("stress-step", num(stressStep));
        m.put("stress-max", num(stressMax));
        m.put("plateau", Integer.toString(plateauSec));
        m.put("p99-ms", Integer.toString(p99Ms));
        m.put("max-error-pct", num(maxErrorPct));
        m.put("max-heap-growth-mb", Integer.toString(maxHeapGrowthMb));
        m.put("port-offset", Integer.toString(portOffset));
        m.put("cluster-work", clusterWork.toString());
        m.forEach((k, val) -> out.add("-D" + PROPERTY_PREFIX + k + "=" + val));
        return out;
    }

    /** The front the simulation loads (set by the launcher; a simulation run without one is a usage error). */
    public String requireUrl() {
        return url.orElseThrow(() -> new IllegalArgumentException(
                "no target URL: run simulations with make load / bin/load-test (or -Dload.url=http://host:port)"));
    }

    private static String num(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static double number(Map<String, String> v, String key, double dflt) {
        String s = v.get(key);
        if (s == null) {
            return dflt;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a number: '" + s + "'");
        }
    }

    private static int integer(Map<String, String> v, String key, int dflt) {
        String s = v.get(key);
        if (s == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a whole number: '" + s + "'");
        }
    }

    private static void positive(String key, double value) {
        if (!(value > 0)) {
            throw new IllegalArgumentException("--" + key + " must be > 0: " + value);
        }
    }
}
