package dev.loomgate.loadtests.gatling;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The phases of each simulation, built from {@link LoadSettings}: the simulations in src/test/java only turn
 * these into Gatling injection profiles, so what runs when is unit tested here.
 * <ul>
 *   <li>steady: warm-up, then {@code rate} req/s for {@code duration}</li>
 *   <li>spike: warm-up, {@code rate} for a third of {@code duration}, {@code rate x spike-factor} for a third
 *       (a step, no ramp), then {@code rate} again</li>
 *   <li>stress: warm-up at the first plateau's rate, then plateaus from {@code stress-start} up by
 *       {@code stress-step} to {@code stress-max}, {@code plateau} seconds each</li>
 *   <li>soak-short: warm-up, then {@code rate} for {@code duration} (default 10 min)</li>
 * </ul>
 */
public final class LoadPlan {
    public static final String WARMUP = "warmup";
    static final String PLATEAU_PREFIX = "plateau-";

    private LoadPlan() {
    }

    public static List<Phase> phases(LoadSettings s) {
        List<Phase> phases = new ArrayList<>();
        int t = 0;
        double warmupRate = s.sim() == Sim.STRESS ? s.stressStart() : s.rate();
        if (s.warmupSec() > 0) {
            phases.add(new Phase(WARMUP, warmupRate, s.warmupSec(), t, false));
            t += s.warmupSec();
        }
        switch (s.sim()) {
            case STEADY -> phases.add(new Phase("steady", s.rate(), s.durationSec(), t, true));
            case SOAK_SHORT -> phases.add(new Phase("soak", s.rate(), s.durationSec(), t, true));
            case SPIKE -> {
                int third = Math.max(1, s.durationSec() / 3);
                phases.add(new Phase("spike-before", s.rate(), third, t, true));
                phases.add(new Phase("spike-peak", s.rate() * s.spikeFactor(), third, t + third, true));
                phases.add(new Phase("spike-after", s.rate(), third, t + 2 * third, true));
            }
            case STRESS -> {
                int i = 1;
                for (double r = s.stressStart(); r <= s.stressMax() + 1e-9; r += s.stressStep(), i++) {
                    phases.add(new Phase(plateauName(i, r), r, s.plateauSec(), t, false));
                    t += s.plateauSec();
                }
            }
        }
        return List.copyOf(phases);
    }

    /** "plateau-03-300rps": sortable, and the rate can be read back from the report. */
    static String plateauName(int index, double rate) {
        return String.format(Locale.ROOT, "%s%02d-%drps", PLATEAU_PREFIX, index, Math.round(rate));
    }

    static boolean isPlateau(String requestName) {
        return requestName.startsWith(PLATEAU_PREFIX);
    }
}
