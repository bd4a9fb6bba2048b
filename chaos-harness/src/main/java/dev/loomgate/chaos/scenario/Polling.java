package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.load.EpochClock;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

/** Polls a condition at a fixed interval on the load's clock. */
public final class Polling {
    private Polling() {
    }

    /**
     * Polls {@code condition} every {@code interval} until it holds or {@code timeout} passes; returns the
     * epoch ms at which it was first seen true. A condition that throws counts as false.
     */
    public static OptionalLong until(EpochClock clock, Duration interval, Duration timeout, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = clock.epochMillis() + timeout.toMillis();
        while (true) {
            long now = clock.epochMillis();
            boolean ok;
            try {
                ok = condition.getAsBoolean();
            } catch (RuntimeException e) {
                ok = false;
            }
            if (ok) {
                return OptionalLong.of(now);
            }
            if (now >= deadline) {
                return OptionalLong.empty();
            }
            Thread.sleep(interval.toMillis());
        }
    }
}
