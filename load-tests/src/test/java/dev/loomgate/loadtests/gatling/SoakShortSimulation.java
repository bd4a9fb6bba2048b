package dev.loomgate.loadtests.gatling;

/** {@code make load SIM=soak-short}: see {@link LoadPlan} for its phases, {@link LoadSettings#HELP} for its parameters. */
public class SoakShortSimulation extends PhasedSimulation {
    public SoakShortSimulation() {
        super(Sim.SOAK_SHORT);
    }
}
