package dev.loomgate.loadtests.gatling;

/** {@code make load SIM=stress}: see {@link LoadPlan} for its phases, {@link LoadSettings#HELP} for its parameters. */
public class StressSimulation extends PhasedSimulation {
    public StressSimulation() {
        super(Sim.STRESS);
    }
}
