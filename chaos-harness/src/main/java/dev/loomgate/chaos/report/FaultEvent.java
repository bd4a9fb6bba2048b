package dev.loomgate.chaos.report;

import java.util.Objects;

/**
 * A fault the harness injected, with wall-clock times ({@code System.currentTimeMillis()}).
 *
 * @param name        what was done: {@code kill -9}, {@code SIGSTOP}, {@code link down}
 * @param target      what it was done to: {@code gw2}, {@code lb1}, {@code redis master}
 * @param startMillis when the fault began
 * @param endMillis   when it was undone or ended; equal to start for an instant fault (a kill)
 */
public record FaultEvent(String name, String target, long startMillis, long endMillis) {

    public FaultEvent {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(target, "target");
        if (endMillis < startMillis) {
            throw new IllegalArgumentException("fault '" + name + "' ends (" + endMillis + ") before it starts ("
                    + startMillis + ")");
        }
    }

    public static FaultEvent instant(String name, String target, long atMillis) {
        return new FaultEvent(name, target, atMillis, atMillis);
    }

    public boolean instant() {
        return endMillis == startMillis;
    }

    public long durationMillis() {
        return endMillis - startMillis;
    }

    /** {@code kill -9 gw2}. */
    public String label() {
        return name + " " + target;
    }
}
