package dev.loomgate.chaos.scenario;

import java.util.Optional;

/**
 * How to start the clusters of a run.
 *
 * @param mode        loopback or namespace
 * @param portOffset  added to every loopback port, so a run does not collide with a developer's {@code make cluster}
 * @param netnsPrefix namespace name prefix (namespace mode); empty for the launcher's default
 */
public record ClusterOptions(ClusterMode mode, int portOffset, Optional<String> netnsPrefix) {

    public static ClusterOptions of(ClusterMode mode) {
        return new ClusterOptions(mode, 0, Optional.empty());
    }
}
