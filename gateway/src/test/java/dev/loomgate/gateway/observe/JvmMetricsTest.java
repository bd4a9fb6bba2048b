package dev.loomgate.gateway.observe;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class JvmMetricsTest {
    @Test
    void heapGcAndThreadsAreScrapedWithPlausibleValues() {
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.addSource(new JvmMetrics());
        String text = metrics.scrape();
        assertTrue(value(text, "jvm_memory_used_bytes\\{area=\"heap\"\\}") > 0, text);
        assertTrue(value(text, "jvm_memory_committed_bytes\\{area=\"heap\"\\}")
                >= value(text, "jvm_memory_used_bytes\\{area=\"heap\"\\}"), text);
        assertTrue(value(text, "jvm_threads_current") >= 1, text);
        assertTrue(value(text, "jvm_threads_peak") >= value(text, "jvm_threads_current") - 1, text);
        assertTrue(Pattern.compile("(?m)^jvm_gc_collection_seconds_count\\{gc=\"[^\"]+\"\\} \\d+$").matcher(text).find(), text);
        assertTrue(Pattern.compile("(?m)^jvm_gc_collection_seconds_sum\\{gc=\"[^\"]+\"\\} [0-9.]+$").matcher(text).find(), text);
        assertTrue(text.contains("# TYPE jvm_gc_collection_seconds summary\n"), text);
        double start = value(text, "process_start_time_seconds");
        assertTrue(start > 1.6e9 && start <= System.currentTimeMillis() / 1000.0, text);
    }

    private static double value(String text, String sample) {
        Matcher m = Pattern.compile("(?m)^" + sample + " ([0-9.eE+-]+)$").matcher(text);
        assertTrue(m.find(), sample + " in\n" + text);
        return Double.parseDouble(m.group(1));
    }
}
