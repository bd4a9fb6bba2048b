package dev.loomgate.chaos.report;

/** A half-open time span {@code [fromMillis, toMillis)} in epoch milliseconds. */
public record Window(long fromMillis, long toMillis) {

    public Window {
        if (toMillis < fromMillis) {
            throw new IllegalArgumentException("window ends (" + toMillis + ") before it starts (" + fromMillis + ")");
        }
    }

    public static Window all() {
        return new Window(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** From {@code before} ms before the fault starts to {@code after} ms after it ends. */
    public static Window around(FaultEvent fault, long before, long after) {
        return new Window(fault.startMillis() - before, fault.endMillis() + after);
    }

    /** The {@code length} ms just before the fault: a baseline. */
    public static Window before(FaultEvent fault, long length) {
        return new Window(fault.startMillis() - length, fault.startMillis());
    }

    /** The {@code length} ms starting {@code delay} ms after the fault starts. */
    public static Window after(FaultEvent fault, long delay, long length) {
        return new Window(fault.startMillis() + delay, fault.startMillis() + delay + length);
    }

    public boolean contains(long epochMillis) {
        return epochMillis >= fromMillis && epochMillis < toMillis;
    }

    public long lengthMillis() {
        return toMillis - fromMillis;
    }
}
