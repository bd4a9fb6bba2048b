package dev.loomgate.chaos.load;

import java.util.List;

/**
 * The outcome of a load run.
 *
 * @param config           what was asked
 * @param records          stored records in issue order (at most {@link LoadConfig#maxRecords()})
 * @param scheduled        requests the scheduler issued or dropped
 * @param notStored        records beyond the memory bound (counted, not kept)
 * @param startEpochMillis when scheduling began
 * @param endEpochMillis   when the last request completed
 * @param stoppedEarly     whether {@link LoadRun#stop()} ended scheduling before the bounds
 */
public record LoadResult(LoadConfig config,
                         List<RequestRecord> records,
                         long scheduled,
                         long notStored,
                         long startEpochMillis,
                         long endEpochMillis,
                         boolean stoppedEarly) {

    public LoadResult {
        records = List.copyOf(records);
    }

    public long count(java.util.function.Predicate<RequestRecord> filter) {
        return records.stream().filter(filter).count();
    }

    /** Requests per second actually started, over the span from the first scheduled to the last scheduled. */
    public double achievedRate() {
        if (records.size() < 2) {
            return 0;
        }
        long first = records.getFirst().scheduledEpochNanos();
        long last = records.getLast().scheduledEpochNanos();
        return last == first ? 0 : (records.size() - 1) * 1e9 / (last - first);
    }
}
