package dev.loomgate.chaos.scenario;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

import dev.loomgate.chaos.report.StateTimeline;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * The pure parts of the saga scenario (12): what a participant's {@code GET /state} says, the invariant of
 * docs/SAGAS.md over those states and the sagas' final states (the checker of the gateway's SagaRig, fed over HTTP
 * here), the saga-state samples the report draws, and the kill-to-final figure. Kept apart from the run so they can
 * be checked without a cluster.
 */
public final class SagaChecks {
    /** Saga states in the order the report lists them (labels of the admin API). */
    public static final List<String> OPEN = List.of("running", "compensating", "confirming", "stuck");
    public static final List<String> SETTLED = List.of("completed", "compensated", "aborted");
    private static final Set<String> HOLDS = Set.of("RESERVED", "CONFIRMED");

    private SagaChecks() {
    }

    public static boolean isFinal(String state) {
        return SETTLED.contains(state);
    }

    /** One participant's {@code GET /state}: holdings per saga and its counters since it started. */
    public record Participant(String name, Map<String, String> holdings, long redeliveries, long duplicateEffects) {
        public Participant {
            holdings = Map.copyOf(holdings);
        }

        public static Participant parse(String json) {
            JsonObject o = Json.createReader(new StringReader(json)).readObject();
            Map<String, String> h = new TreeMap<>();
            o.getJsonObject("holdings").forEach((saga, v) -> h.put(saga, ((jakarta.json.JsonString) v).getString()));
            return new Participant(o.getString("name"), h, o.getJsonNumber("redeliveries").longValue(),
                    o.getJsonNumber("duplicateEffects").longValue());
        }
    }

    /**
     * The invariant, per saga: a completed saga holds a reservation at every participant; a compensated or aborted
     * one holds none; a participant holding a reservation for a saga that is not completed (or that the log does not
     * know) is an orphan. Sagas in {@code earlier} (held before the run) are left out.
     *
     * @param states final (or last known) state per saga of the run
     * @return the violations per saga id; its size is the number of inconsistent sagas
     */
    public static Map<String, List<String>> violations(Map<String, String> states, List<Participant> participants,
                                                       Set<String> earlier) {
        Map<String, List<String>> out = new TreeMap<>();
        for (Map.Entry<String, String> e : states.entrySet()) {
            String id = e.getKey();
            for (Participant p : participants) {
                String h = p.holdings().get(id);
                boolean holds = h != null && HOLDS.contains(h);
                if (e.getValue().equals("completed") && !holds) {
                    out.computeIfAbsent(id, k -> new ArrayList<>()).add("completed but " + p.name() + " holds "
                            + (h == null ? "nothing" : h));
                } else if (!e.getValue().equals("completed") && holds && isFinal(e.getValue())) {
                    out.computeIfAbsent(id, k -> new ArrayList<>()).add(e.getValue() + " but " + p.name()
                            + " still holds " + h);
                }
            }
        }
        for (Participant p : participants) {
            p.holdings().forEach((id, h) -> {
                if (HOLDS.contains(h) && !earlier.contains(id) && !states.containsKey(id)) {
                    out.computeIfAbsent(id, k -> new ArrayList<>()).add(p.name() + " holds " + h
                            + " for a saga the log does not show");
                }
            });
        }
        return out;
    }

    /** Sum of the participants' duplicate effects now minus before the run. */
    public static long duplicateEffects(List<Participant> before, List<Participant> after) {
        return after.stream().mapToLong(Participant::duplicateEffects).sum()
                - before.stream().mapToLong(Participant::duplicateEffects).sum();
    }

    public static long redeliveries(List<Participant> before, List<Participant> after) {
        return after.stream().mapToLong(Participant::redeliveries).sum()
                - before.stream().mapToLong(Participant::redeliveries).sum();
    }

    /** One saga as the admin list shows it: state and last update (epoch ms, the node's clock). */
    public record Seen(String state, long updatedMillis) {
    }

    /**
     * Merges an admin list answer ({@code {"sagas":[{id,route,state,created,updated,...}]}}) into {@code known}:
     * sagas of {@code route} created at or after {@code createdFrom} (epoch ms; earlier runs are left out).
     */
    public static void merge(String listJson, String route, long createdFrom, Map<String, Seen> known) {
        JsonObject o = Json.createReader(new StringReader(listJson)).readObject();
        for (JsonValue v : o.getJsonArray("sagas")) {
            JsonObject s = v.asJsonObject();
            if (!route.equals(s.getString("route", "")) || s.getJsonNumber("created").longValue() < createdFrom) {
                continue;
            }
            Seen now = new Seen(s.getString("state"), s.getJsonNumber("updated").longValue());
            // a list read from a slower moment must not move a saga back in time
            known.merge(s.getString("id"), now, (a, b) -> b.updatedMillis() >= a.updatedMillis() ? b : a);
        }
    }

    /** The counts per state of {@code known} at {@code atMillis}: one sample of the report's saga timeline. */
    public static StateTimeline.Sample sample(long atMillis, Map<String, Seen> known) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        known.values().forEach(s -> counts.merge(s.state(), 1, Integer::sum));
        return new StateTimeline.Sample(atMillis, counts);
    }

    public static StateTimeline timeline(List<StateTimeline.Sample> samples) {
        return new StateTimeline("Sagas per state (admin API polled every " + SagaKillScenario.SAMPLE_MS + " ms)",
                OPEN, SETTLED, samples);
    }

    /**
     * The longest time from the kill to the final state among the sagas open at the kill ({@code openAtKill}),
     * by their final log write; empty when none was open or one of them is not final.
     */
    public static OptionalLong maxKillToFinal(Set<String> openAtKill, Map<String, Seen> known, long killMillis) {
        long max = 0;
        for (String id : openAtKill) {
            Seen s = known.get(id);
            if (s == null || !isFinal(s.state())) {
                return OptionalLong.empty();
            }
            max = Math.max(max, s.updatedMillis() - killMillis);
        }
        return openAtKill.isEmpty() ? OptionalLong.empty() : OptionalLong.of(max);
    }

    /** Ids of sagas of the run that are not final. */
    public static List<String> notFinal(Map<String, Seen> known) {
        return known.entrySet().stream().filter(e -> !isFinal(e.getValue().state())).map(Map.Entry::getKey)
                .sorted().toList();
    }
}
