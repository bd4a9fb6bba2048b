package dev.loomgate.gateway.config;

import java.time.Duration;

import dev.loomgate.gateway.units.Units;

/** Durations and sizes as the config package reads them: {@link Units}, the one grammar, with no dialect of its own. */
public final class ConfigValues {
    private ConfigValues() {
    }

    /** {@code 250ms}, {@code 2s}, {@code 1m}, {@code 1h}; @throws IllegalArgumentException with a reason fit for a config error */
    public static Duration duration(String text) {
        return Units.duration(text);
    }

    /** {@code 16384}, {@code 64KiB}, {@code 100MB}; @throws IllegalArgumentException with a reason fit for a config error */
    public static long size(String text) {
        return Units.size(text);
    }
}
