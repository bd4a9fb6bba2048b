package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.load.EpochClock;
import dev.loomgate.chaos.report.FaultEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Injects faults and records them on the load's clock, so a fault instant compares exactly with the request
 * records. The instant is taken just before the action (a kill takes effect as the signal is sent).
 */
public final class FaultLog {
    private final EpochClock clock;
    private final List<FaultEvent> events = new CopyOnWriteArrayList<>();

    public FaultLog(EpochClock clock) {
        this.clock = clock;
    }

    /** An action that may throw (a signal, a command). */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    public EpochClock clock() {
        return clock;
    }

    /** Runs an instant fault (kill -9) and records it; returns its instant in epoch ms. */
    public long instant(String name, String target, Action action) throws Exception {
        long at = clock.epochMillis();
        action.run();
        events.add(FaultEvent.instant(name, target, at));
        return at;
    }

    /** Starts a fault with a duration (SIGSTOP ... SIGCONT); {@link Span#end} records it. */
    public Span begin(String name, String target, Action action) throws Exception {
        long at = clock.epochMillis();
        action.run();
        return new Span(name, target, at);
    }

    /** Records a span whose start and end were measured elsewhere. */
    public void record(FaultEvent event) {
        events.add(event);
    }

    public List<FaultEvent> events() {
        List<FaultEvent> sorted = new ArrayList<>(events);
        sorted.sort(java.util.Comparator.comparingLong(FaultEvent::startMillis));
        return List.copyOf(sorted);
    }

    /** A running fault. */
    public final class Span {
        private final String name;
        private final String target;
        private final long startMillis;

        private Span(String name, String target, long startMillis) {
            this.name = name;
            this.target = target;
            this.startMillis = startMillis;
        }

        public long startMillis() {
            return startMillis;
        }

        /** Undoes the fault (may be a no-op) and records the span ending now; returns the event. */
        public FaultEvent end(Action undo) throws Exception {
            undo.run();
            FaultEvent event = new FaultEvent(name, target, startMillis, Math.max(startMillis, clock.epochMillis()));
            events.add(event);
            return event;
        }
    }

    /** Sleeps until the clock reads {@code epochMillis} (returns at once if it already passed). */
    public void sleepUntil(long epochMillis) throws InterruptedException {
        long left;
        while ((left = epochMillis - clock.epochMillis()) > 0) {
            Thread.sleep(Math.min(left, 50));
        }
    }
}
