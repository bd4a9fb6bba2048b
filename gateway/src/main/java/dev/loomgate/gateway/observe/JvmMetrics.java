package dev.loomgate.gateway.observe;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.RuntimeMXBean;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * The JVM's heap, garbage collection and platform threads, read from the {@code java.lang.management}
 * MXBeans at scrape time (nothing on the request path). Names follow the Prometheus Java client's
 * {@code jvm_*} conventions so existing JVM dashboards and habits carry over. Virtual threads are
 * not platform threads and do not show in {@code jvm_threads_current}; the proxy's concurrency is
 * {@code loomgate_in_flight_requests}.
 */
public final class JvmMetrics implements GatewayMetrics.Source {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();

    @Override
    public void accept(PrometheusText p) {
        MemoryUsage heap = memory.getHeapMemoryUsage();
        MemoryUsage nonHeap = memory.getNonHeapMemoryUsage();
        p.help("jvm_memory_used_bytes", "gauge", "Memory in use, by area (heap, nonheap).");
        p.sample("jvm_memory_used_bytes", "area=\"heap\"", heap.getUsed());
        p.sample("jvm_memory_used_bytes", "area=\"nonheap\"", nonHeap.getUsed());
        p.help("jvm_memory_committed_bytes", "gauge", "Memory committed by the JVM, by area (heap, nonheap).");
        p.sample("jvm_memory_committed_bytes", "area=\"heap\"", heap.getCommitted());
        p.sample("jvm_memory_committed_bytes", "area=\"nonheap\"", nonHeap.getCommitted());
        p.help("jvm_memory_max_bytes", "gauge", "The most memory the area may use (-1 when unbounded).");
        p.sample("jvm_memory_max_bytes", "area=\"heap\"", heap.getMax());
        p.sample("jvm_memory_max_bytes", "area=\"nonheap\"", nonHeap.getMax());
        p.help("jvm_gc_collection_seconds", "summary", "Time spent in garbage collection, by collector.");
        for (GarbageCollectorMXBean gc : collectors) {
            String labels = "gc=\"" + PrometheusText.escape(gc.getName()) + "\"";
            p.sample("jvm_gc_collection_seconds_count", labels, Math.max(0, gc.getCollectionCount()));
            p.sample("jvm_gc_collection_seconds_sum", labels, Math.max(0, gc.getCollectionTime()) / 1000.0);
        }
        p.help("jvm_threads_current", "gauge", "Live platform threads (virtual threads are not counted).");
        p.sample("jvm_threads_current", "", threads.getThreadCount());
        p.help("jvm_threads_daemon", "gauge", "Live platform daemon threads.");
        p.sample("jvm_threads_daemon", "", threads.getDaemonThreadCount());
        p.help("jvm_threads_peak", "gauge", "Most live platform threads since the JVM started.");
        p.sample("jvm_threads_peak", "", threads.getPeakThreadCount());
        p.help("process_start_time_seconds", "gauge", "When the JVM started, in seconds since the epoch.");
        p.sample("process_start_time_seconds", "", runtime.getStartTime() / 1000.0);
    }
}
