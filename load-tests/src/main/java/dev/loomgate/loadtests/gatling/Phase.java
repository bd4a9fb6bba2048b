package dev.loomgate.loadtests.gatling;

/**
 * One stretch of open-model load: {@code rate} new requests per second for {@code seconds}, starting
 * {@code startSec} after the simulation starts. Its name is also the Gatling request name, so the report's
 * per-request statistics are per-phase statistics. Asserted phases carry the goal; warm-up does not.
 */
public record Phase(String name, double rate, int seconds, int startSec, boolean asserted) {
    public Phase {
        if (!name.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("phase name must be [a-z0-9-]+: " + name);
        }
        if (rate <= 0 || seconds <= 0 || startSec < 0) {
            throw new IllegalArgumentException("phase " + name + ": rate and seconds must be > 0");
        }
    }

    public int endSec() {
        return startSec + seconds;
    }
}
