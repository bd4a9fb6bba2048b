package dev.loomgate.loadtests.gatling;

import java.util.List;
import java.util.Locale;

/** One node's heap after a forced GC and its RSS, at one moment of a soak run. */
public record MemorySample(String node, long pid, long heapAfterGcBytes, long rssBytes) {

    /** Start and end of one node, and whether heap growth stayed within {@code maxHeapGrowthMb}. */
    public record Growth(MemorySample start, MemorySample end) {
        public long heapGrowthBytes() {
            return end.heapAfterGcBytes() - start.heapAfterGcBytes();
        }

        public long rssGrowthBytes() {
            return end.rssBytes() - start.rssBytes();
        }

        public boolean heapHeld(int maxHeapGrowthMb) {
            return heapGrowthBytes() <= maxHeapGrowthMb * 1024L * 1024L;
        }
    }

    public static String table(List<Growth> growths, int maxHeapGrowthMb) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-10s %8s %14s %14s %12s %10s %10s %10s  %s%n",
                "node", "pid", "heap@GC start", "heap@GC end", "heap growth", "RSS start", "RSS end", "RSS growth",
                "heap growth <= " + maxHeapGrowthMb + " MB"));
        for (Growth g : growths) {
            sb.append(String.format(Locale.ROOT, "%-10s %8d %14s %14s %12s %10s %10s %10s  %s%n", g.start().node(),
                    g.start().pid(), mb(g.start().heapAfterGcBytes()), mb(g.end().heapAfterGcBytes()),
                    mb(g.heapGrowthBytes()), mb(g.start().rssBytes()), mb(g.end().rssBytes()), mb(g.rssGrowthBytes()),
                    g.heapHeld(maxHeapGrowthMb) ? "yes" : "NO"));
        }
        return sb.toString();
    }

    /** The start samples alone, before the load. */
    public static String startTable(List<MemorySample> samples) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-10s %8s %14s %10s%n", "node", "pid",
                "heap after GC", "RSS"));
        for (MemorySample m : samples) {
            sb.append(String.format(Locale.ROOT, "%-10s %8d %14s %10s%n", m.node(), m.pid(), mb(m.heapAfterGcBytes()),
                    mb(m.rssBytes())));
        }
        return sb.toString();
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
    }
}
