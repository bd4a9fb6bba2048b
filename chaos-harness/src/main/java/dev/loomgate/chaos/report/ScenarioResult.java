package dev.loomgate.chaos.report;

import dev.loomgate.chaos.load.RequestRecord;

import java.util.List;

/**
 * One scenario of a chaos run: what was measured, when faults hit, and the criteria with their figures.
 */
public record ScenarioResult(String name, String description, RecordsSummary summary, Timeline timeline,
                             List<FaultEvent> faults, List<Criterion> criteria, List<LogLink> logs) {

    public ScenarioResult {
        faults = List.copyOf(faults);
        criteria = List.copyOf(criteria);
        logs = List.copyOf(logs);
    }

    public static ScenarioResult of(String name, String description, List<RequestRecord> records,
                                    List<FaultEvent> faults, List<Criterion> criteria, List<LogLink> logs) {
        return new ScenarioResult(name, description, RecordsSummary.of(records), Timeline.of(records, faults),
                faults, criteria, logs);
    }

    /** Passes when every criterion passes; a scenario without criteria proves nothing and fails. */
    public boolean passed() {
        return !criteria.isEmpty() && criteria.stream().allMatch(Criterion::pass);
    }
}
