package dev.loomgate.loadtests;

/** The benchmark cannot produce honest figures (a request failed, a process died, a check did not hold). */
final class BenchFailure extends RuntimeException {
    BenchFailure(String message) {
        super(message);
    }
}
