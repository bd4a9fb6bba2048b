package dev.loomgate.loadtests.gatling;

/** {@code make load SIM=spike}: see {@link LoadPlan} for its phases, {@link LoadSettings#HELP} for its parameters. */
public class SpikeSimulation extends PhasedSimulation {
    public SpikeSimulation() {
        super(Sim.SPIKE);
    }
}
