package dev.loomgate.chaos.report;

import dev.loomgate.chaos.load.RequestRecord;

import java.util.List;

/**
 * One scenario of a chaos run: what was measured, when faults hit, and the criteria with their figures.
 */
public record ScenarioResult(String name, String description, RecordsSummary summary, Timeline timeline,
                             List<FaultEvent> faults, List<Criterion> criteria, List<LogLink> logs,
                             List<StateTimeline> states) {

    public ScenarioResult {
        faults = List.copyOf(faults);
        criteria = List.copyOf(criteria);
        logs = List.copyOf(logs);
        states = List.copyOf(states);
    }

    /** Without state timelines (most scenarios only have requests to show). */
    public ScenarioResult(String name, String description, RecordsSummary summary, Timeline timeline,
                          List<FaultEvent> faults, List<Criterion> criteria, List<LogLink> logs) {
        this(name, description, summary, timeline, faults, criteria, logs, List.of());
    }

    /** This result with {@code more} state timelines (e.g. sagas per state) drawn under the request chart. */
    public ScenarioResult withStates(List<StateTimeline> more) {
        List<StateTimeline> all = new java.util.ArrayList<>(states);
        all.addAll(more);
        return new ScenarioResult(name, description, summary, timeline, faults, criteria, logs, all);
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
