package dev.loomgate.chaos.scenario;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One process of the cluster as the scenarios drive it: the launcher's managed process (tracked by PID, never
 * found by name). Signals return at once; {@link #awaitReady} and {@link #awaitExit} wait.
 */
public interface ClusterProcess {

    /** {@code gw2}, {@code lb1}, {@code redis-master}. */
    String name();

    long pid();

    boolean alive();

    void kill9();

    void sigterm();

    void sigstop();

    void sigcont();

    /** Starts the process again with the same config (after it died or was stopped). */
    void restart();

    /** Waits until the process answers its readiness check; throws when it does not in time. */
    void awaitReady(Duration timeout);

    Path log();

    /** Waits until the process has exited; returns whether it did in time. */
    default boolean awaitExit(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (alive()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
