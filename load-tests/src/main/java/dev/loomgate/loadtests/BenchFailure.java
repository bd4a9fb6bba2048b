package dev.loomgate.loadtests;

/** The benchmark cannot produce honest figures (a request failed, a process died, a check did not hold). */
public final class BenchFailure extends RuntimeException {
    public BenchFailure(String message) {
        super(message);
    }
}
