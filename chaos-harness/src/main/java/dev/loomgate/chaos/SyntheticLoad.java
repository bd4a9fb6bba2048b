package dev.loomgate.chaos;

import dev.loomgate.chaos.load.ErrorClass;
import dev.loomgate.chaos.load.RequestKind;
import dev.loomgate.chaos.load.RequestRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Deterministic fake load for demos and report tests: requests at a fixed rate spread round-robin over nodes,
 * with a per-request hook deciding the outcome.
 */
public final class SyntheticLoad {
    private final SplittableRandom random;
    private final long startMillis;
    private final double rate;
    private final List<String> nodes;
    private final List<RequestRecord> records = new ArrayList<>();

    public SyntheticLoad(long seed, long startMillis, double rate, List<String> nodes) {
        this.random = new SplittableRandom(seed);
        this.startMillis = startMillis;
        this.rate = rate;
        this.nodes = List.copyOf(nodes);
    }

    /** What happens to one request; {@link #healthy} is the default. */
    public record Planned(int status, ErrorClass error, double latencyMillis, Optional<String> node) {
    }

    /** Facts about a request before its outcome is decided. */
    public record Slot(long seq, long startMillis, double offsetSeconds, RequestKind kind, String node,
                       SplittableRandom random) {
    }

    public Planned healthy(Slot s) {
        return new Planned(s.kind() == RequestKind.GET ? 200 : 201, ErrorClass.NONE, baseLatency(), Optional.of(s.node()));
    }

    /** Log-normal-ish latency around 2 ms with a tail. */
    public double baseLatency() {
        double l = Math.exp(0.7 + 0.35 * random.nextGaussian());
        return random.nextDouble() < 0.01 ? l * 4 : l;
    }

    public SyntheticLoad run(double seconds, Function<Slot, Planned> plan) {
        long count = Math.round(seconds * rate);
        for (long seq = 0; seq < count; seq++) {
            double offset = seq / rate;
            long startNanos = (startMillis * 1_000_000L) + Math.round(offset * 1e9);
            RequestKind kind = switch (random.nextInt(4)) {
                case 0, 1 -> RequestKind.GET;
                case 2 -> RequestKind.POST_IDEMPOTENT;
                default -> RequestKind.POST;
            };
            String node = nodes.get((int) (seq % nodes.size()));
            Planned p = plan.apply(new Slot(seq, startNanos / 1_000_000L, offset, kind, node, random));
            records.add(new RequestRecord(seq, kind, startNanos, startNanos + random.nextInt(200_000),
                    Math.round(p.latencyMillis() * 1e6), p.status(), p.error(), p.node(),
                    p.error() == ErrorClass.NONE ? Optional.of("lb1") : Optional.empty(), random.nextDouble() < 0.2,
                    false));
        }
        return this;
    }

    public List<RequestRecord> records() {
        return List.copyOf(records);
    }

    public long at(double seconds) {
        return startMillis + Math.round(seconds * 1000);
    }
}
