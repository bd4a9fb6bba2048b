package dev.loomgate.loadtests.gatling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class LoadPlanTest {
    private static List<Phase> plan(String... args) {
        return LoadPlan.phases(LoadSettings.parseArgs(List.of(args)));
    }

    @Test
    void steadyIsWarmupThenOneAssertedPhase() {
        assertEquals(List.of(new Phase("warmup", 200, 20, 0, false), new Phase("steady", 200, 20, 20, true)),
                plan("--sim", "steady", "--duration", "20"));
    }

    @Test
    void spikeStepsUpByTheFactorForTheMiddleThird() {
        assertEquals(List.of(new Phase("warmup", 100, 5, 0, false),
                        new Phase("spike-before", 100, 10, 5, true),
                        new Phase("spike-peak", 500, 10, 15, true),
                        new Phase("spike-after", 100, 10, 25, true)),
                plan("--sim", "spike", "--rate", "100", "--duration", "30", "--warmup", "5"));
    }

    @Test
    void stressPlateausFollowEachOtherUpToTheMaximum() {
        assertEquals(List.of(new Phase("warmup", 100, 20, 0, false),
                        new Phase("plateau-01-100rps", 100, 15, 20, false),
                        new Phase("plateau-02-350rps", 350, 15, 35, false),
                        new Phase("plateau-03-600rps", 600, 15, 50, false)),
                plan("--sim", "stress", "--stress-start", "100", "--stress-step", "250", "--stress-max", "700"));
    }

    @Test
    void noWarmupWhenZero() {
        assertEquals(List.of(new Phase("soak", 200, 600, 0, true)), plan("--sim", "soak-short", "--warmup", "0"));
    }

    @Test
    void plateauNamesSortAndCarryTheRate() {
        assertEquals("plateau-07-1500rps", LoadPlan.plateauName(7, 1500));
        assertEquals(true, LoadPlan.isPlateau("plateau-07-1500rps"));
        assertEquals(false, LoadPlan.isPlateau("warmup"));
        assertThrows(IllegalArgumentException.class, () -> new Phase("Bad Name", 1, 1, 0, true));
    }
}
