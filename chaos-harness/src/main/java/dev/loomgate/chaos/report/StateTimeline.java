package dev.loomgate.chaos.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts of things per state over time, sampled by polling (e.g. sagas per state from the admin API): the report
 * draws it under the request chart on the same clock, with the same fault marks.
 *
 * @param title   the chart's heading
 * @param open    states drawn as "how many are in it now" (e.g. running, compensating, stuck)
 * @param settled states drawn as "how many ended there so far" (e.g. completed, compensated)
 * @param samples in time order
 */
public record StateTimeline(String title, List<String> open, List<String> settled, List<Sample> samples) {

    public StateTimeline {
        open = List.copyOf(open);
        settled = List.copyOf(settled);
        samples = List.copyOf(samples);
        for (int i = 1; i < samples.size(); i++) {
            if (samples.get(i).atMillis() < samples.get(i - 1).atMillis()) {
                throw new IllegalArgumentException("samples out of time order at " + i);
            }
        }
    }

    /** One poll: when, and how many were in each state (a state missing from {@code counts} had none). */
    public record Sample(long atMillis, Map<String, Integer> counts) {
        public Sample {
            counts = Map.copyOf(counts);
        }

        public int count(String state) {
            return counts.getOrDefault(state, 0);
        }
    }

    /** The largest count of {@code state} over the samples (0 when none). */
    public int max(String state) {
        return samples.stream().mapToInt(s -> s.count(state)).max().orElse(0);
    }

    /** The last sample's counts, every state of the chart present (the report prints them under the chart). */
    public Map<String, Integer> last() {
        Map<String, Integer> out = new LinkedHashMap<>();
        List<String> all = new ArrayList<>(open);
        all.addAll(settled);
        for (String s : all) {
            out.put(s, samples.isEmpty() ? 0 : samples.getLast().count(s));
        }
        return out;
    }
}
