package dev.loomgate.loadtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * CPU time of process trees and of the whole machine, to show where the cores went during a run: which part of a
 * benchmark (generator, proxy, origin) was short of CPU is the evidence behind a latency figure.
 */
public final class CpuMeter {
    private CpuMeter() {
    }

    /** CPU time of a process and its descendants (nginx workers) so far, in nanoseconds. */
    public static long treeNanos(ProcessHandle h) {
        long total = nanos(h);
        for (ProcessHandle child : h.descendants().toList()) {
            total += nanos(child);
        }
        return total;
    }

    /** CPU time of this one process so far (not its children), in nanoseconds. */
    public static long nanos(ProcessHandle h) {
        return h.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /**
     * Busy and total jiffies of all cores from {@code /proc/stat}'s first line (busy = all but idle and iowait);
     * empty where there is no /proc.
     */
    public static Optional<MachineTicks> machine() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            return lines.isEmpty() ? Optional.empty() : MachineTicks.parse(lines.getFirst());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** One reading of {@code /proc/stat}'s aggregate cpu line. */
    public record MachineTicks(long busy, long total) {
        static Optional<MachineTicks> parse(String cpuLine) {
            String[] f = cpuLine.trim().split("\\s+");
            if (f.length < 5 || !f[0].equals("cpu")) {
                return Optional.empty();
            }
            long total = 0, idle = 0;
            for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
                long v = Long.parseLong(f[i]);
                total += v;
                if (i == 4 || i == 5) {
                    idle += v;
                }
            }
            return Optional.of(new MachineTicks(total - idle, total));
        }

        /** Share of all cores busy between {@code earlier} and this reading, 0..1. */
        public double busyShareSince(MachineTicks earlier) {
            long t = total - earlier.total;
            return t <= 0 ? 0 : (double) (busy - earlier.busy) / t;
        }
    }

    /**
     * Cores used by the parts of one timed run: the load generator, the proxy under test (absent for the direct
     * run) and the origin, and how busy the whole machine was (in cores).
     */
    public record CoresUsed(double generator, Optional<Double> proxy, double origin, double machineBusy, int cores) {
        public static CoresUsed of(long generatorNanos, Optional<Long> proxyNanos, long originNanos,
                                   Optional<Double> machineBusyShare, Duration wall, int cores) {
            double w = Math.max(1, wall.toNanos());
            return new CoresUsed(generatorNanos / w, proxyNanos.map(p -> p / w), originNanos / w,
                    machineBusyShare.orElse(Double.NaN) * cores, cores);
        }

        /** Cores busy with anything else on the machine (other programs, the kernel's softirq work), >= 0. */
        public Optional<Double> other() {
            return Double.isNaN(machineBusy) ? Optional.empty()
                    : Optional.of(Math.max(0, machineBusy - generator - proxy.orElse(0.0) - origin));
        }

        /** "gen 0.71, proxy 0.98, origin 0.22, other 0.04; machine 1.95/2 busy". */
        public String text() {
            return String.format(Locale.ROOT, "gen %.2f, proxy %s, origin %.2f, other %s; machine %s/%d busy", generator,
                    proxy.map(p -> String.format(Locale.ROOT, "%.2f", p)).orElse("-"), origin,
                    other().map(o -> String.format(Locale.ROOT, "%.2f", o)).orElse("?"),
                    Double.isNaN(machineBusy) ? "?" : String.format(Locale.ROOT, "%.2f", machineBusy), cores);
        }
    }
}
