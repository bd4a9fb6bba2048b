package dev.loomgate.loadtests.gatling;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The simulations {@code make load SIM=...} runs, each a Gatling simulation class in src/test/java. */
public enum Sim {
    STEADY("steady", "SteadySimulation", 60),
    SPIKE("spike", "SpikeSimulation", 60),
    STRESS("stress", "StressSimulation", 0),
    SOAK_SHORT("soak-short", "SoakShortSimulation", 600);

    private final String id;
    private final String className;
    private final int defaultDurationSec;

    Sim(String id, String className, int defaultDurationSec) {
        this.id = id;
        this.className = className;
        this.defaultDurationSec = defaultDurationSec;
    }

    public String id() {
        return id;
    }

    /** Fully qualified Gatling simulation class. */
    public String simulationClass() {
        return "dev.loomgate.loadtests.gatling." + className;
    }

    int defaultDurationSec() {
        return defaultDurationSec;
    }

    static Sim of(String id) {
        return Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown simulation '" + id + "' (one of "
                        + Arrays.stream(values()).map(Sim::id).collect(Collectors.joining(", ")) + ")"));
    }
}
