package dev.loomgate.gateway.async;

import java.util.Locale;
import java.util.Optional;

/** Where a job is: waiting, on a worker, or in one of its three final states. */
public enum JobState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, DEAD;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == DEAD;
    }

    public static Optional<JobState> of(String wire) {
        for (JobState s : values()) {
            if (s.wire().equals(wire)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
