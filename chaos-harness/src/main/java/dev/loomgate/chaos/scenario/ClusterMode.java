package dev.loomgate.chaos.scenario;

/** How the cluster runs: every process on 127.0.0.1 ports, or one network namespace per host (root). */
public enum ClusterMode {
    LOOPBACK("loopback"),
    NAMESPACE("namespace");

    private final String label;

    ClusterMode(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Namespace mode when running as root with {@code ip netns} available, else loopback. */
    public static ClusterMode best() {
        return NetworkControl.namespacesAvailable() ? NAMESPACE : LOOPBACK;
    }
}
