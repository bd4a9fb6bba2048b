package dev.loomgate.loadtests.gatling;

/** {@code make load SIM=steady}: see {@link LoadPlan} for its phases, {@link LoadSettings#HELP} for its parameters. */
public class SteadySimulation extends PhasedSimulation {
    public SteadySimulation() {
        super(Sim.STEADY);
    }
}
